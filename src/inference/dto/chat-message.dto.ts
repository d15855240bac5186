import { EACH_OBJECT } from '../../common/validation/object-shape.js';
import { Type } from 'class-transformer';
import {
  Equals,
  IsObject,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  MAX_TOOL_CALL_ID_LENGTH,
  type ChatMessage,
  type ChatRole,
  type ContentPart,
  type ToolCall,
} from '../../providers/llm-provider.types.js';
import {
  FUNCTION_NAME,
  FUNCTION_NAME_MESSAGE,
  IsMessageContent,
  OnlyOnAssistant,
} from './openai-shape.validators.js';

export const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];

class ToolCallFunctionDto {
  @IsString()
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  name!: string;

  @IsString()
  arguments!: string;
}

export class ToolCallDto implements ToolCall {
  @IsString()
  @MaxLength(MAX_TOOL_CALL_ID_LENGTH)
  id!: string;

  @Equals('function')
  type!: 'function';

  @IsObject()
  @ValidateNested()
  @Type(() => ToolCallFunctionDto)
  function!: ToolCallFunctionDto;
}

export class ChatMessageDto implements ChatMessage {
  @IsIn(ROLES)
  role!: ChatRole;

  @IsMessageContent()
  content?: string | ContentPart[] | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;

  /**
   * Accepted on assistant messages because SDKs send back the message they received, which carries
   * `refusal: null`; it is history, not an instruction, so no provider needs it.
   */
  @ValidateIf((m: ChatMessageDto) => m.refusal !== null && m.refusal !== undefined)
  @IsString()
  refusal?: string | null;

  @IsOptional()
  @OnlyOnAssistant()
  @IsObject({ each: true, message: EACH_OBJECT })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[];

  @ValidateIf((m: ChatMessageDto) => m.role === 'tool')
  @MaxLength(MAX_TOOL_CALL_ID_LENGTH)
  @IsString({ message: '$property is required on tool messages' })
  tool_call_id?: string;
}

export { EACH_OBJECT };
