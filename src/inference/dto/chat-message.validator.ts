import {
  all,
  custom,
  eachObject,
  equals,
  isArray,
  isIn,
  isObject,
  isString,
  matches,
  maxLength,
  nested,
  objectShape,
  optional,
  validateIf,
} from '../../common/validation/object-shape.js';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../providers/llm-provider.types.js';
import { ROLES } from './chat-message.dto.js';
import {
  FUNCTION_NAME,
  FUNCTION_NAME_MESSAGE,
  messageContentProblem,
  toolCallsOwnerProblem,
} from './openai-shape.validators.js';

/*
 * `ChatMessageDto` and its tool calls as hand-written checks (see object-shape.ts): fields in
 * declaration order, each field's decorators read from the bottom up.
 */

const checkToolCallFunction = objectShape('ToolCallFunctionDto', {
  name: all(matches(FUNCTION_NAME, FUNCTION_NAME_MESSAGE), isString()),
  arguments: isString(),
});

const checkToolCall = objectShape('ToolCallDto', {
  id: all(maxLength(MAX_TOOL_CALL_ID_LENGTH), isString()),
  type: equals('function'),
  function: all(isObject(), nested(checkToolCallFunction)),
});

export const checkChatMessage = objectShape('ChatMessageDto', {
  role: isIn(ROLES),
  content: custom(messageContentProblem),
  name: optional(maxLength(256), isString()),
  refusal: validateIf((m) => m.refusal !== null && m.refusal !== undefined, isString()),
  tool_calls: optional(
    isArray(),
    eachObject(),
    custom(toolCallsOwnerProblem),
    nested(checkToolCall, { each: true }),
  ),
  // @IsString first: an absent id reads "required", not a length.
  tool_call_id: validateIf(
    (m) => m.role === 'tool',
    isString('$property is required on tool messages'),
    maxLength(MAX_TOOL_CALL_ID_LENGTH),
  ),
});
