import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  EmbeddingRequest,
  FieldMap,
  FunctionTool,
  ResponseFormat,
  ToolChoice,
} from '../llm-provider.types.js';
import { OPTIONAL_FIELDS } from '../llm-provider.types.js';
import { forwards } from '../field-map.js';

/**
 * The requests an OpenAI-compatible upstream receives (wire-formats section 1), rebuilt field by
 * field from the gateway's validated vocabulary so nothing the gateway did not validate reaches
 * the upstream. The answers are read back in `openai-wire.mapper.ts`.
 */

type Json = Record<string, unknown>;

/**
 * The chat request the upstream receives: `model` as the upstream knows it; with `streamUsage`,
 * a stream asks for usage (metering always needs it; the caller sees it only if it asked).
 */
export function toOpenAiChatBody(
  request: ChatCompletionRequest,
  model: string,
  stream: boolean,
  streamUsage = true,
  fields?: FieldMap,
): Json {
  const body: Json = { model, messages: request.messages.map(toOpenAiMessage) };
  copyDefined(body, request, [
    'max_tokens',
    'max_completion_tokens',
    'temperature',
    'top_p',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'user',
    'parallel_tool_calls',
  ]);
  // The optional fields of contract 4.2, verbatim where the target's parameter map forwards them
  // (the capability check has refused the rest; a default such as `n: 1` stays home).
  for (const field of OPTIONAL_FIELDS) {
    const value = request[field];
    if (value !== undefined && forwards(fields, field)) body[field] = structuredClone(value);
  }
  if (request.stop !== undefined) {
    body.stop = typeof request.stop === 'string' ? request.stop : [...request.stop];
  }
  if (request.response_format !== undefined) {
    body.response_format = toOpenAiResponseFormat(request.response_format);
  }
  if (request.tools !== undefined) body.tools = request.tools.map(toOpenAiTool);
  if (request.tool_choice !== undefined) body.tool_choice = toOpenAiToolChoice(request.tool_choice);
  if (request.metadata !== undefined) body.metadata = { ...request.metadata };
  if (stream) {
    body.stream = true;
    if (streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

/** The embeddings request: base64 (where the vendor has it) is a quarter of the bytes of floats. */
export function toOpenAiEmbeddingBody(
  request: EmbeddingRequest,
  model: string,
  base64 = true,
): Json {
  const body: Json = { model, input: request.input };
  if (base64) body.encoding_format = 'base64';
  copyDefined(body, request, ['dimensions', 'user']);
  return body;
}

function toOpenAiMessage(message: ChatMessage): Json {
  const out: Json = { role: message.role };
  if (message.content !== undefined) {
    out.content =
      typeof message.content === 'string' || message.content === null
        ? message.content
        : message.content.map(toOpenAiPart);
  }
  if (message.name !== undefined) out.name = message.name;
  if (message.tool_calls !== undefined) {
    out.tool_calls = message.tool_calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
  }
  if (message.tool_call_id !== undefined) out.tool_call_id = message.tool_call_id;
  return out;
}

function toOpenAiPart(part: ContentPart): Json {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const image: Json = { url: part.image_url.url };
  if (part.image_url.detail !== undefined) image.detail = part.image_url.detail;
  return { type: 'image_url', image_url: image };
}

function toOpenAiTool(tool: FunctionTool): Json {
  const fn: Json = { name: tool.function.name };
  copyDefined(fn, tool.function, ['description', 'parameters', 'strict']);
  return { type: 'function', function: fn };
}

function toOpenAiToolChoice(choice: ToolChoice): ToolChoice {
  return typeof choice === 'string'
    ? choice
    : { type: 'function', function: { name: choice.function.name } };
}

function toOpenAiResponseFormat(format: ResponseFormat): Json {
  if (format.type !== 'json_schema') return { type: format.type };
  const schema: Json = { name: format.json_schema.name };
  copyDefined(schema, format.json_schema, ['description', 'schema', 'strict']);
  return { type: 'json_schema', json_schema: schema };
}

function copyDefined<T extends object>(
  target: Json,
  source: T,
  keys: readonly (keyof T & string)[],
) {
  for (const key of keys) {
    if (source[key] !== undefined) target[key] = source[key];
  }
}
