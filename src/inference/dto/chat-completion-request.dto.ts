import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CheckBodyWith } from '../../common/validation/body-check.decorator.js';
import {
  type ChatCompletionRequest,
  type FunctionTool,
  REASONING_EFFORTS,
  type ReasoningEffort,
  type ResponseFormat,
  type ToolChoice,
} from '../../providers/llm-provider.types.js';
import { checkChatCompletionRequest } from './chat-completion-request.validator.js';
import { ChatMessageDto, EACH_OBJECT } from './chat-message.dto.js';
import {
  IsAudioOutput,
  IsLogitBias,
  IsModalities,
  IsPrediction,
  IsTopLogprobs,
  IsWebSearchOptions,
  SERVICE_TIERS,
  VERBOSITIES,
} from './openai-option.validators.js';
import {
  FUNCTION_NAME,
  FUNCTION_NAME_MESSAGE,
  IsModelId,
  IsStop,
  IsStringMap,
  IsToolChoice,
} from './openai-shape.validators.js';

class StreamOptionsDto {
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

class JsonSchemaDto {
  @IsString()
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema'])
  type!: ResponseFormat['type'];

  @ValidateIf((f: ResponseFormatDto) => f.type === 'json_schema' || f.json_schema !== undefined)
  @ValidateNested()
  @Type(() => JsonSchemaDto)
  @IsObject({ message: "$property is required when type is 'json_schema'" })
  json_schema?: JsonSchemaDto;
}

class FunctionDefinitionDto {
  @IsString()
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  name!: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

class ToolDto implements FunctionTool {
  @Equals('function', { message: "$property must be 'function'" })
  type!: 'function';

  @ValidateNested()
  @Type(() => FunctionDefinitionDto)
  @IsObject()
  function!: FunctionDefinitionDto;
}

/**
 * POST /v1/chat/completions, contract 4.2. Fields outside this list are refused by the pipe. The
 * request pipe validates it with {@link checkChatCompletionRequest}, which must stay equivalent.
 */
@CheckBodyWith(checkChatCompletionRequest)
export class ChatCompletionRequestDto implements ChatCompletionRequest {
  @IsModelId()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  model!: string;

  @IsObject({ each: true, message: EACH_OBJECT })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  @IsObject()
  stream_options?: StreamOptionsDto;

  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number;

  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number;

  @IsOptional()
  @IsStop()
  stop?: string | string[];

  @IsOptional()
  @IsInt()
  seed?: number;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  user?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  @IsObject()
  response_format?: ResponseFormat;

  @IsOptional()
  @IsObject({ each: true, message: EACH_OBJECT })
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @IsOptional()
  @IsToolChoice()
  tool_choice?: ToolChoice;

  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @IsOptional()
  @IsStringMap()
  metadata?: Record<string, string>;

  /** The fields below are forwarded, mapped or refused per target (contract 4.2). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number;

  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  reasoning_effort?: ReasoningEffort;

  @IsOptional()
  @IsIn(VERBOSITIES)
  verbosity?: ChatCompletionRequest['verbosity'];

  @IsOptional()
  @IsIn(SERVICE_TIERS)
  service_tier?: ChatCompletionRequest['service_tier'];

  @IsOptional()
  @IsBoolean()
  store?: boolean;

  @IsOptional()
  @IsPrediction()
  prediction?: ChatCompletionRequest['prediction'];

  @IsOptional()
  @IsModalities()
  modalities?: ChatCompletionRequest['modalities'];

  @IsOptional()
  @IsAudioOutput()
  audio?: ChatCompletionRequest['audio'];

  @IsOptional()
  @IsWebSearchOptions()
  web_search_options?: ChatCompletionRequest['web_search_options'];

  @IsOptional()
  @IsBoolean()
  logprobs?: boolean;

  @IsOptional()
  @IsTopLogprobs()
  top_logprobs?: number;

  @IsOptional()
  @IsLogitBias()
  logit_bias?: Record<string, number>;

  @IsOptional()
  @MaxLength(1024)
  @IsString()
  prompt_cache_key?: string;

  @IsOptional()
  @MaxLength(64)
  @IsString()
  safety_identifier?: string;
}
