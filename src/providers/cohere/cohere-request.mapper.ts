import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  EmbeddingRequest,
  FunctionTool,
  ToolCall,
} from '../llm-provider.types.js';

/**
 * Pure translation of the gateway's requests into Cohere's v2 API (wire-formats section 8).
 * Bodies are rebuilt field by field, so nothing the gateway did not validate reaches Cohere, and
 * what Cohere cannot honour is refused here with a 400 naming the field instead of being dropped.
 * Only what cannot change the answer is left out: `user`, `metadata` and message `name`s, which
 * Cohere has no field for.
 */

type Json = Record<string, unknown>;

/** Cohere's `p` is bounded to [0.01, 0.99]; OpenAI's `top_p` allows [0, 1] and clients send 1. */
const MIN_P = 0.01;
const MAX_P = 0.99;

/** Cohere's `input_type` values for embeddings (required by its v3+ models). */
export type CohereEmbedInputType =
  'search_document' | 'search_query' | 'classification' | 'clustering';

/** The `/v2/chat` body; `stream` is always sent, as Cohere's SDK does. */
export function toCohereChatBody(
  request: ChatCompletionRequest,
  model: string,
  stream: boolean,
): Json {
  if (request.response_format !== undefined && request.response_format.type !== 'text') {
    // The capability check refuses this before dispatch; never send what would be ignored.
    throw new GatewayError(
      ErrorCode.UnsupportedResponseFormat,
      `Provider 'cohere' does not support response_format '${request.response_format.type}'.`,
      { param: 'response_format', provider: 'cohere' },
    );
  }
  if (request.parallel_tool_calls === false && (request.tools?.length ?? 0) > 0) {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      "Provider 'cohere' cannot turn parallel tool calls off; omit parallel_tool_calls.",
      { param: 'parallel_tool_calls', provider: 'cohere' },
    );
  }
  const body: Json = { model, messages: request.messages.map(toCohereMessage), stream };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.p = Math.min(MAX_P, Math.max(MIN_P, request.top_p));
  if (request.stop !== undefined) {
    body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
  }
  if (request.seed !== undefined) body.seed = request.seed;
  for (const key of ['frequency_penalty', 'presence_penalty'] as const) {
    const value = request[key];
    if (value === undefined) continue;
    if (value < 0 || value > 1) {
      // OpenAI allows [-2, 2]; Cohere only [0, 1] and has no way to encourage repetition.
      throw new GatewayError(
        ErrorCode.ValidationError,
        `Provider 'cohere' accepts ${key} between 0 and 1 only.`,
        { param: key, provider: 'cohere' },
      );
    }
    body[key] = value;
  }
  Object.assign(body, toCohereTools(request));
  return body;
}

/**
 * The `/v2/embed` body. Floats only: the service encodes base64 for callers that ask for it.
 * @param inputType Cohere requires it and OpenAI's API has no such field: it comes from config.
 */
export function toCohereEmbedBody(
  request: EmbeddingRequest,
  model: string,
  inputType: CohereEmbedInputType,
): Json {
  const texts = typeof request.input === 'string' ? [request.input] : request.input;
  if (!texts.every((t): t is string => typeof t === 'string')) {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      "Provider 'cohere' embeds text only; send input as a string or an array of strings, not token ids.",
      { param: 'input', provider: 'cohere' },
    );
  }
  const body: Json = {
    model,
    texts: [...texts],
    input_type: inputType,
    embedding_types: ['float'],
  };
  if (request.dimensions !== undefined) {
    if (!supportsOutputDimension(model)) {
      throw new GatewayError(
        ErrorCode.UnsupportedCapability,
        `Cohere model '${model}' has a fixed embedding size; dimensions needs embed-v4 or later.`,
        { param: 'dimensions', provider: 'cohere' },
      );
    }
    body.output_dimension = request.dimensions;
  }
  return body;
}

/** `output_dimension` arrived with embed-v4.0; the v3 models answer it with a 400. */
function supportsOutputDimension(model: string): boolean {
  const version = /^embed-v(\d+)/i.exec(model);
  return version !== null && Number(version[1]) >= 4;
}

function toCohereMessage(message: ChatMessage, index: number): Json {
  switch (message.role) {
    case 'system':
    case 'developer':
      // Cohere has no developer role; OpenAI itself treats it as the newer name for system.
      return { role: 'system', content: toTextContent(message.content, index) };
    case 'user':
      return { role: 'user', content: toUserContent(message.content) };
    case 'assistant':
      return toCohereAssistant(message, index);
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: message.tool_call_id ?? '',
        content: toTextContent(message.content, index),
      };
  }
}

/**
 * Cohere pairs tool calls with a `tool_plan` (its narration of what it is about to call), not
 * with `content`; the gateway surfaces that plan as the assistant's content, so it goes back
 * where it came from.
 */
function toCohereAssistant(message: ChatMessage, index: number): Json {
  const text = joinText(message.content, index);
  const calls = message.tool_calls ?? [];
  if (calls.length === 0) return { role: 'assistant', content: text };
  const out: Json = { role: 'assistant', tool_calls: calls.map(toCohereToolCall) };
  if (text !== '') out.tool_plan = text;
  return out;
}

function toCohereToolCall(call: ToolCall): Json {
  return {
    id: call.id,
    type: 'function',
    // An argument-less call streams as ""; Cohere parses arguments as JSON.
    function: { name: call.function.name, arguments: call.function.arguments || '{}' },
  };
}

function toUserContent(content: ChatMessage['content']): string | Json[] {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    // Cohere's vision models take OpenAI's image part as is (wire-formats 18.4).
    const image: Json = { url: part.image_url.url };
    if (part.image_url.detail !== undefined) image.detail = part.image_url.detail;
    return { type: 'image_url', image_url: image };
  });
}

/** System and tool messages: a string, or text parts (Cohere takes images from users only). */
function toTextContent(content: ChatMessage['content'], index: number): string | Json[] {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  return content.map((part) => ({ type: 'text', text: textPart(part, index) }));
}

function joinText(content: ChatMessage['content'], index: number): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => textPart(part, index)).join('');
}

function textPart(part: ContentPart, index: number): string {
  if (part.type === 'text') return part.text;
  throw new GatewayError(
    ErrorCode.ValidationError,
    "Provider 'cohere' accepts images in user messages only.",
    { param: `messages[${index}].content`, provider: 'cohere' },
  );
}

/**
 * Tools map nearly 1:1. `tool_choice`: Cohere knows only REQUIRED and NONE (omitted = auto), so a
 * named function is expressed by offering only that tool and requiring a call (wire-formats 18.3).
 */
function toCohereTools(request: ChatCompletionRequest): Json {
  let tools = request.tools ?? [];
  if (tools.length === 0) return {};
  const choice = request.tool_choice;
  const out: Json = {};
  if (typeof choice === 'object') {
    const name = choice.function.name;
    tools = tools.filter((tool) => tool.function.name === name);
    if (tools.length === 0) {
      throw new GatewayError(
        ErrorCode.ValidationError,
        `tool_choice names function '${name}', which is not among the tools.`,
        { param: 'tool_choice', provider: 'cohere' },
      );
    }
    out.tool_choice = 'REQUIRED';
  } else if (choice === 'required') {
    out.tool_choice = 'REQUIRED';
  } else if (choice === 'none') {
    out.tool_choice = 'NONE';
  }
  out.tools = tools.map(toCohereTool);
  // Cohere's strict mode covers every tool or none, so it is asked only when all are strict.
  if (tools.every((tool) => tool.function.strict === true)) out.strict_tools = true;
  return out;
}

function toCohereTool(tool: FunctionTool): Json {
  const fn: Json = {
    name: tool.function.name,
    // Required by Cohere, optional in OpenAI's API where absent means "no arguments".
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) fn.description = tool.function.description;
  return { type: 'function', function: fn };
}
