/**
 * How the fake Cohere server judges a request, in Cohere's words (wire-formats section 8): v2
 * refuses unknown fields, roles other than system/user/assistant/tool, tool results that answer
 * no earlier tool call, `p` outside [0.01, 0.99], OpenAI's lower-case tool choices, and embed
 * calls without `input_type`. Pure.
 */
import { cohereError, type CohereErrorBody } from './fake-cohere.payloads.js';

const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'stream', 'tools', 'strict_tools', 'documents', 'citation_options',
  'response_format', 'safety_mode', 'max_tokens', 'stop_sequences', 'temperature', 'seed',
  'frequency_penalty', 'presence_penalty', 'k', 'p', 'logprobs', 'tool_choice', 'thinking',
  'priority',
]); // prettier-ignore

const EMBED_FIELDS: ReadonlySet<string> = new Set([
  'model', 'texts', 'images', 'inputs', 'input_type', 'embedding_types', 'truncate',
  'output_dimension', 'max_tokens', 'priority',
]); // prettier-ignore

const MESSAGE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'tool_plan', 'citations']),
  tool: new Set(['role', 'tool_call_id', 'content']),
};

const INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering', 'image'];
const EMBEDDING_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'];
const OUTPUT_DIMENSIONS = [256, 512, 1024, 1536];
const MAX_TEXTS = 96;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CohereErrorBody };

export interface ChatCall {
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
}

export interface EmbedCall {
  readonly texts: string[];
  readonly dimensions: number;
}

type Json = Record<string, unknown>;

export function checkChatRequest(json: unknown): Checked<ChatCall> {
  const body = asRecord(json);
  if (body === undefined) return refuse('invalid request: body must be a JSON object');
  const problem =
    unknownField(body, CHAT_FIELDS, '') ??
    checkModel(body) ??
    checkMessages(body.messages) ??
    checkSampling(body) ??
    checkTools(body);
  if (problem !== undefined) return refuse(problem);
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    return refuse('invalid request: stream must be a boolean');
  }
  return { ok: true, value: { body, stream: body.stream === true } };
}

export function checkEmbedRequest(json: unknown): Checked<EmbedCall> {
  const body = asRecord(json);
  if (body === undefined) return refuse('invalid request: body must be a JSON object');
  const problem = unknownField(body, EMBED_FIELDS, '') ?? checkModel(body);
  if (problem !== undefined) return refuse(problem);
  if (typeof body.input_type !== 'string') {
    return refuse(
      'invalid request: input_type is required for embed models v3 and higher; valid types are search_document, search_query, classification, clustering and image',
    );
  }
  if (!INPUT_TYPES.includes(body.input_type)) {
    return refuse(`invalid request: input_type '${body.input_type}' is not a valid input type`);
  }
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    return refuse('invalid request: texts must be a non-empty list of strings');
  }
  if (texts.length > MAX_TEXTS) {
    return refuse(`invalid request: texts can contain at most ${MAX_TEXTS} items`);
  }
  const types = body.embedding_types ?? ['float'];
  if (!Array.isArray(types) || !types.every((t) => EMBEDDING_TYPES.includes(String(t)))) {
    return refuse('invalid request: embedding_types contains an invalid type');
  }
  if (!types.includes('float')) {
    return refuse('fake Cohere: only float embeddings are implemented');
  }
  let dimensions = 8;
  if (body.output_dimension !== undefined) {
    if (!String(body.model).startsWith('embed-v4')) {
      return refuse(
        `invalid request: output_dimension is not supported for model ${String(body.model)}`,
      );
    }
    if (!OUTPUT_DIMENSIONS.includes(Number(body.output_dimension))) {
      return refuse('invalid request: output_dimension must be one of 256, 512, 1024, 1536');
    }
    dimensions = Number(body.output_dimension);
  }
  return { ok: true, value: { texts, dimensions } };
}

/** Cohere's 401 body, for a missing or wrong bearer key. */
export function unauthorized(): CohereErrorBody {
  return cohereError('invalid api token');
}

/** A realistic body for a scripted failure with `status`. */
export function defaultErrorBody(status: number): CohereErrorBody {
  switch (status) {
    case 401:
    case 498:
      return unauthorized();
    case 429:
      return cohereError(
        'You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits.',
      );
    case 499:
      return cohereError('request cancelled');
    case 503:
      return cohereError('service unavailable: the model is overloaded, please retry later');
    default:
      return status >= 500
        ? cohereError('internal server error, this has been reported to our developers')
        : cohereError('invalid request: temperature must be a non-negative number');
  }
}

function checkModel(body: Json): string | undefined {
  return typeof body.model === 'string' && body.model !== ''
    ? undefined
    : 'invalid request: model must be a non-empty string';
}

function checkMessages(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    return 'invalid request: messages must be a non-empty list';
  }
  const toolCallIds = new Set<string>();
  for (const [i, item] of value.entries()) {
    const message = asRecord(item);
    const role = message?.role;
    if (message === undefined || typeof role !== 'string' || !(role in MESSAGE_FIELDS)) {
      return `invalid request: messages[${i}]: invalid role ${JSON.stringify(role)}, expected one of system, user, assistant, tool`;
    }
    const problem = unknownField(message, MESSAGE_FIELDS[role], `messages[${i}].`);
    if (problem !== undefined) return problem;
    const where = `invalid request: messages[${i}]`;
    switch (role) {
      case 'system':
        if (!isContent(message.content, ['text'])) return `${where}: system content must be text`;
        break;
      case 'user':
        if (!isContent(message.content, ['text', 'image_url'])) {
          return `${where}: user content must be a string or text and image_url parts`;
        }
        break;
      case 'assistant': {
        const calls = message.tool_calls;
        if (calls !== undefined) {
          if (!Array.isArray(calls) || calls.length === 0) {
            return `${where}: tool_calls must be a non-empty list`;
          }
          for (const call of calls) {
            const problemCall = checkToolCall(call);
            if (problemCall !== undefined) return `${where}: ${problemCall}`;
            toolCallIds.add(String(asRecord(call)?.id));
          }
        } else if (!isContent(message.content, ['text', 'thinking'])) {
          return `${where}: an assistant message needs content or tool_calls`;
        }
        if (message.tool_plan !== undefined && typeof message.tool_plan !== 'string') {
          return `${where}: tool_plan must be a string`;
        }
        break;
      }
      case 'tool':
        if (typeof message.tool_call_id !== 'string' || !toolCallIds.has(message.tool_call_id)) {
          return `${where}: tool_call_id ${JSON.stringify(message.tool_call_id)} does not answer a tool call of an earlier assistant message`;
        }
        if (!isContent(message.content, ['text', 'document'])) {
          return `${where}: tool content must be a string or text and document parts`;
        }
        break;
    }
  }
  return undefined;
}

function checkToolCall(value: unknown): string | undefined {
  const call = asRecord(value);
  const fn = asRecord(call?.function);
  if (typeof call?.id !== 'string' || call.type !== 'function' || typeof fn?.name !== 'string') {
    return 'a tool call needs id, type "function" and function.name';
  }
  if (typeof fn.arguments !== 'string') return 'tool call arguments must be a JSON string';
  try {
    JSON.parse(fn.arguments);
  } catch {
    return `tool call arguments are not valid JSON: ${fn.arguments}`;
  }
  return undefined;
}

function checkSampling(body: Json): string | undefined {
  const number = (key: string, min: number, max: number, integer = false) => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || value < min || value > max) {
      return `invalid request: ${key} must be between ${min} and ${max}`;
    }
    return integer && !Number.isInteger(value)
      ? `invalid request: ${key} must be an integer`
      : undefined;
  };
  const stops = body.stop_sequences;
  if (stops !== undefined) {
    if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string') || stops.length > 5) {
      return 'invalid request: stop_sequences must be a list of at most 5 strings';
    }
  }
  return (
    number('p', 0.01, 0.99) ??
    number('k', 0, 500, true) ??
    number('temperature', 0, Number.MAX_VALUE) ??
    number('max_tokens', 1, Number.MAX_SAFE_INTEGER, true) ??
    number('seed', 0, Number.MAX_SAFE_INTEGER, true) ??
    number('frequency_penalty', 0, 1) ??
    number('presence_penalty', 0, 1)
  );
}

function checkTools(body: Json): string | undefined {
  const tools = body.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'invalid request: tools must be a list';
    for (const [i, item] of tools.entries()) {
      const tool = asRecord(item);
      const fn = asRecord(tool?.function);
      if (tool?.type !== 'function' || typeof fn?.name !== 'string') {
        return `invalid request: tools[${i}] needs type "function" and function.name`;
      }
      if (asRecord(fn.parameters) === undefined) {
        return `invalid request: tools[${i}].function.parameters is required`;
      }
      const extra = unknownField(
        fn,
        new Set(['name', 'description', 'parameters']),
        `tools[${i}].function.`,
      );
      if (extra !== undefined) return extra;
    }
  }
  if (body.tool_choice !== undefined) {
    if (body.tool_choice !== 'REQUIRED' && body.tool_choice !== 'NONE') {
      return `invalid request: tool_choice must be one of REQUIRED, NONE; received ${JSON.stringify(body.tool_choice)}`;
    }
    if (!Array.isArray(tools) || tools.length === 0) {
      return 'invalid request: tool_choice requires tools';
    }
  }
  if (body.strict_tools !== undefined && typeof body.strict_tools !== 'boolean') {
    return 'invalid request: strict_tools must be a boolean';
  }
  const format = asRecord(body.response_format);
  if (
    body.response_format !== undefined &&
    format?.type !== 'text' &&
    format?.type !== 'json_object'
  ) {
    return 'invalid request: response_format.type must be text or json_object';
  }
  return undefined;
}

/** A string, or a non-empty list of parts whose `type` is one of `types`. */
function isContent(value: unknown, types: readonly string[]): boolean {
  if (typeof value === 'string') return true;
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((part) => types.includes(String(asRecord(part)?.type)))
  );
}

function unknownField(body: Json, allowed: ReadonlySet<string>, path: string): string | undefined {
  const key = Object.keys(body).find((k) => !allowed.has(k));
  return key === undefined
    ? undefined
    : `invalid request: unknown field: parameter ${path}${key} is not a valid field`;
}

function refuse(message: string): { ok: false; error: CohereErrorBody } {
  return { ok: false, error: cohereError(message) };
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}
