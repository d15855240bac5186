import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { InlineImage } from '../http/image-fetcher.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  FunctionTool,
  ImagePart,
  ResponseFormat,
  ToolChoice,
} from '../llm-provider.types.js';
import { GEMINI_PROVIDER_ID } from './gemini.errors.js';
import { toGeminiSchema } from './gemini-schema.mapper.js';
import { toThinkingConfig } from './gemini-thinking.mapper.js';
import { thoughtSignatureOf } from './gemini-tool-call-id.mapper.js';

/**
 * The gateway's chat request as a Gemini `GenerateContentRequest` (wire-formats 4.1, contract 5):
 * system and developer messages become `systemInstruction`, `assistant` becomes `model`, tool
 * results become `functionResponse` parts named after the call they answer, and consecutive turns
 * of one role are merged (Gemini wants user and model turns to alternate). Pure: images arrive
 * already inlined, and what Gemini cannot honour is refused with a 400 naming the field. Only
 * what cannot change the answer is left out: `user`, `metadata`, message `name`s and the image
 * `detail` hint, which Gemini has no field for.
 */

type Json = Record<string, unknown>;

/** Each image part of the request with its bytes (the adapter fetches them beforehand). */
export type InlinedImages = ReadonlyMap<ImagePart, InlineImage>;

export interface ImageToInline {
  readonly part: ImagePart;
  /** The request field, for the error when the image cannot be used. */
  readonly param: string;
}

/** The images {@link toGeminiChatBody} needs inlined: those of user messages. */
export function imagesToInline(request: ChatCompletionRequest): ImageToInline[] {
  const found: ImageToInline[] = [];
  request.messages.forEach((message, i) => {
    if (message.role !== 'user' || !Array.isArray(message.content)) return;
    message.content.forEach((part, j) => {
      if (part.type === 'image_url') {
        found.push({ part, param: `messages[${i}].content[${j}].image_url` });
      }
    });
  });
  return found;
}

export function toGeminiChatBody(request: ChatCompletionRequest, images: InlinedImages): Json {
  const { system, contents } = toContents(request.messages, images);
  if (contents.length === 0) {
    throw invalid(
      ErrorCode.InvalidRequest,
      'messages',
      'needs at least one user or assistant message besides system messages',
    );
  }
  const body: Json = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    if (request.parallel_tool_calls === false) {
      throw invalid(
        ErrorCode.UnsupportedCapability,
        'parallel_tool_calls',
        'cannot limit an answer to one tool call (parallel_tool_calls: false)',
      );
    }
    body.tools = [{ functionDeclarations: tools.map(toFunctionDeclaration) }];
  }
  const toolConfig = toToolConfig(request.tool_choice, tools);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const generationConfig = toGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

interface Turn {
  role: 'user' | 'model';
  parts: Json[];
}

function toContents(
  messages: readonly ChatMessage[],
  images: InlinedImages,
): { system: Json[]; contents: Turn[] } {
  const system: Json[] = [];
  const contents: Turn[] = [];
  /** Function names by tool-call id: a tool message carries only the id, Gemini wants the name. */
  const callNames = new Map<string, string>();
  const push = (role: Turn['role'], parts: Json[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(message, i));
        break;
      case 'user':
        push('user', userParts(message, i, images));
        break;
      case 'assistant':
        push('model', modelParts(message, i, callNames));
        break;
      case 'tool':
        push('user', [functionResponse(message, i, callNames)]);
        break;
    }
  });
  return { system, contents };
}

function textParts(message: ChatMessage, index: number): Json[] {
  const { content } = message;
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part, j) => {
    if (part.type !== 'text') {
      throw invalid(
        ErrorCode.UnsupportedCapability,
        `messages[${index}].content[${j}]`,
        `accepts images in user messages only, not in ${message.role} messages`,
      );
    }
    return part.text === '' ? [] : [{ text: part.text }];
  });
}

function userParts(message: ChatMessage, index: number, images: InlinedImages): Json[] {
  if (!Array.isArray(message.content)) return textParts(message, index);
  return message.content.flatMap((part): Json[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
    const image = images.get(part);
    if (image === undefined) throw new Error('an image part was not inlined before mapping');
    return [{ inlineData: { mimeType: image.mimeType, data: image.data } }];
  });
}

function modelParts(message: ChatMessage, index: number, callNames: Map<string, string>): Json[] {
  const parts = textParts(message, index);
  (message.tool_calls ?? []).forEach((call, j) => {
    callNames.set(call.id, call.function.name);
    const part: Json = {
      functionCall: {
        name: call.function.name,
        args: toArgs(
          call.function.arguments,
          `messages[${index}].tool_calls[${j}].function.arguments`,
        ),
      },
    };
    const signature = thoughtSignatureOf(call.id);
    if (signature !== undefined) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
}

function toArgs(text: string, param: string): Json {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isRecord(value)) {
    throw invalid(
      ErrorCode.InvalidRequest,
      param,
      'needs tool-call arguments that are a JSON object',
    );
  }
  return value;
}

function functionResponse(
  message: ChatMessage,
  index: number,
  callNames: ReadonlyMap<string, string>,
): Json {
  const id = message.tool_call_id ?? '';
  const name = callNames.get(id);
  if (name === undefined) {
    throw invalid(
      ErrorCode.InvalidRequest,
      `messages[${index}].tool_call_id`,
      'needs each tool message to answer a tool call of an earlier assistant message (none has this id)',
    );
  }
  const text = textParts(message, index)
    .map((p) => p.text as string)
    .join('');
  return { functionResponse: { name, response: toResponseObject(text) } };
}

/** Gemini wants an object (a protobuf Struct): a JSON object is sent as is, anything else wrapped. */
function toResponseObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { result: text };
  }
  return isRecord(value) ? value : { result: value };
}

function toFunctionDeclaration(tool: FunctionTool, index: number): Json {
  const declaration: Json = { name: tool.function.name };
  if (tool.function.description !== undefined) declaration.description = tool.function.description;
  const parameters = tool.function.parameters;
  if (parameters === undefined) return declaration;
  const param = `tools[${index}].function.parameters`;
  const translated = toGeminiSchema(parameters);
  if (!translated.ok) {
    throw invalid(
      ErrorCode.UnsupportedCapability,
      param,
      `cannot express the parameters of tool '${tool.function.name}': ${translated.reason} (at ${translated.path})`,
    );
  }
  // A function without arguments: Gemini refuses an OBJECT without properties.
  if (translated.schema === undefined) return declaration;
  if (translated.schema.type !== 'OBJECT') {
    throw invalid(
      ErrorCode.UnsupportedCapability,
      param,
      `needs the parameters of tool '${tool.function.name}' to be an object schema`,
    );
  }
  declaration.parameters = translated.schema;
  return declaration;
}

function toToolConfig(
  choice: ToolChoice | undefined,
  tools: readonly FunctionTool[],
): Json | undefined {
  if (choice === undefined) return undefined;
  if (tools.length === 0) {
    if (choice === 'none' || choice === 'auto') return undefined;
    throw invalid(ErrorCode.InvalidRequest, 'tool_choice', 'needs tools to force a tool call');
  }
  if (typeof choice !== 'string') {
    const name = choice.function.name;
    if (!tools.some((t) => t.function.name === name)) {
      throw invalid(
        ErrorCode.InvalidRequest,
        'tool_choice',
        `was asked to call '${name}', which is not among the tools`,
      );
    }
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  const mode = { auto: 'AUTO', none: 'NONE', required: 'ANY' }[choice];
  return { functionCallingConfig: { mode } };
}

function toGenerationConfig(request: ChatCompletionRequest): Json {
  const config: Json = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop !== undefined) {
    config.stopSequences = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
  }
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.n !== undefined && request.n > 1) config.candidateCount = request.n;
  if (request.presence_penalty !== undefined) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) config.frequencyPenalty = request.frequency_penalty;
  if (request.response_format !== undefined) {
    Object.assign(config, toResponseFormat(request.response_format));
  }
  if (request.reasoning_effort !== undefined) {
    // The capability check refuses the field for models that do not think.
    const thinking = toThinkingConfig(request.model, request.reasoning_effort);
    if (thinking !== undefined) config.thinkingConfig = thinking;
  }
  return config;
}

function toResponseFormat(format: ResponseFormat): Json {
  switch (format.type) {
    case 'text':
      return {};
    case 'json_object':
      return { responseMimeType: 'application/json' };
    case 'json_schema': {
      const schema = format.json_schema.schema;
      if (schema === undefined) return { responseMimeType: 'application/json' };
      const translated = toGeminiSchema(schema);
      if (!translated.ok) {
        throw invalid(
          ErrorCode.UnsupportedResponseFormat,
          'response_format',
          `cannot express this response_format json_schema: ${translated.reason} (at ${translated.path})`,
        );
      }
      return translated.schema === undefined
        ? { responseMimeType: 'application/json' }
        : { responseMimeType: 'application/json', responseSchema: translated.schema };
    }
  }
}

function invalid(code: ErrorCode, param: string, what: string): GatewayError {
  return new GatewayError(code, `Provider '${GEMINI_PROVIDER_ID}' ${what}.`, {
    param,
    provider: GEMINI_PROVIDER_ID,
  });
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
