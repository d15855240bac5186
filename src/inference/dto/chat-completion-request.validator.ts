import {
  all,
  arrayMaxSize,
  arrayMinSize,
  custom,
  eachObject,
  equals,
  isArray,
  isBoolean,
  isIn,
  isInt,
  isNotEmpty,
  isNumber,
  isObject,
  isString,
  matches,
  max,
  maxLength,
  min,
  nested,
  objectShape,
  optional,
  validateIf,
} from '../../common/validation/object-shape.js';
import { REASONING_EFFORTS } from '../../providers/llm-provider.types.js';
import { checkChatMessage } from './chat-message.validator.js';
import {
  audioProblem,
  logitBiasProblem,
  modalitiesProblem,
  predictionProblem,
  SERVICE_TIERS,
  topLogprobsProblem,
  VERBOSITIES,
  webSearchOptionsProblem,
} from './openai-option.validators.js';
import {
  FUNCTION_NAME,
  FUNCTION_NAME_MESSAGE,
  modelIdProblem,
  stopProblem,
  stringMapProblem,
  toolChoiceProblem,
} from './openai-shape.validators.js';

/*
 * `ChatCompletionRequestDto` and its nested DTOs as hand-written checks (see object-shape.ts):
 * fields in declaration order, each field's decorators read from the bottom up. The equivalence
 * spec holds them to the DTOs.
 */

const functionName = all(matches(FUNCTION_NAME, FUNCTION_NAME_MESSAGE), isString());

const checkStreamOptions = objectShape('StreamOptionsDto', {
  include_usage: optional(isBoolean()),
});

const checkJsonSchema = objectShape('JsonSchemaDto', {
  name: functionName,
  description: optional(isString()),
  schema: optional(isObject()),
  strict: optional(isBoolean()),
});

const checkResponseFormat = objectShape('ResponseFormatDto', {
  type: isIn(['text', 'json_object', 'json_schema']),
  json_schema: validateIf(
    (f) => f.type === 'json_schema' || f.json_schema !== undefined,
    isObject("$property is required when type is 'json_schema'"),
    nested(checkJsonSchema),
  ),
});

const checkFunctionDefinition = objectShape('FunctionDefinitionDto', {
  name: functionName,
  description: optional(isString()),
  parameters: optional(isObject()),
  strict: optional(isBoolean()),
});

const checkTool = objectShape('ToolDto', {
  type: equals('function', "$property must be 'function'"),
  function: all(isObject(), nested(checkFunctionDefinition)),
});

/** The body of POST /v1/chat/completions, as `ChatCompletionRequestDto` validates it. */
export const checkChatCompletionRequest = objectShape('ChatCompletionRequestDto', {
  model: all(maxLength(256), isNotEmpty(), isString(), custom(modelIdProblem)),
  messages: all(arrayMinSize(1), isArray(), eachObject(), nested(checkChatMessage, { each: true })),
  stream: optional(isBoolean()),
  stream_options: optional(isObject(), nested(checkStreamOptions)),
  max_tokens: optional(min(1), isInt()),
  max_completion_tokens: optional(min(1), isInt()),
  temperature: optional(max(2), min(0), isNumber()),
  top_p: optional(max(1), min(0), isNumber()),
  frequency_penalty: optional(max(2), min(-2), isNumber()),
  presence_penalty: optional(max(2), min(-2), isNumber()),
  stop: optional(custom(stopProblem)),
  seed: optional(isInt()),
  user: optional(maxLength(512), isString()),
  response_format: optional(isObject(), nested(checkResponseFormat)),
  tools: optional(arrayMaxSize(128), isArray(), eachObject(), nested(checkTool, { each: true })),
  tool_choice: optional(custom(toolChoiceProblem)),
  parallel_tool_calls: optional(isBoolean()),
  metadata: optional(custom(stringMapProblem)),
  n: optional(max(128), min(1), isInt()),
  reasoning_effort: optional(isIn(REASONING_EFFORTS)),
  verbosity: optional(isIn(VERBOSITIES)),
  service_tier: optional(isIn(SERVICE_TIERS)),
  store: optional(isBoolean()),
  prediction: optional(custom(predictionProblem)),
  modalities: optional(custom(modalitiesProblem)),
  audio: optional(custom(audioProblem)),
  web_search_options: optional(custom(webSearchOptionsProblem)),
  logprobs: optional(isBoolean()),
  top_logprobs: optional(custom(topLogprobsProblem)),
  logit_bias: optional(custom(logitBiasProblem)),
  prompt_cache_key: optional(isString(), maxLength(1024)),
  safety_identifier: optional(isString(), maxLength(64)),
});
