import type {
  ContentBlock,
  ConverseRequest,
  ImageFormat,
  InferenceConfiguration,
  Message,
  SystemContentBlock,
  Tool,
  ToolConfiguration,
  ToolResultContentBlock,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { InlineImage } from '../http/image-fetcher.js';
import { applyThinking } from './bedrock-thinking.mapper.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ToolChoice,
} from '../llm-provider.types.js';

/**
 * Pure translation of a chat request into a Converse request (wire-formats 5.1, 18.3, 18.4).
 * What Converse cannot express is refused with a 400 naming the field (contract 4.2), never
 * dropped. Images arrive already inlined: fetching is I/O, done by the adapter beforehand.
 */

/** A JSON value as the SDK types it (its `DocumentType`, not re-exported). */
type JsonDocument = NonNullable<ToolUseBlock['input']>;

/** The forced tool that carries a `json_schema` answer (contract 5, the seed's rewrite). */
export const STRUCTURED_OUTPUT_TOOL = 'structured_output';

/** Appended to the system prompt for `json_object`: Converse has no JSON mode. */
export const JSON_OBJECT_INSTRUCTION =
  'Respond with a single valid JSON object and nothing else: no prose and no code fences.';

const STRUCTURED_OUTPUT_DESCRIPTION =
  'Give the final answer by calling this tool: its input is the response, as JSON matching the schema.';

/** Converse's four image formats, by MIME type. */
const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** An `image_url` part to inline, named by its request path (the key of {@link InlineImages}). */
export interface ImageReference {
  readonly param: string;
  readonly url: string;
}

/** Inlined images, keyed by `messages[i].content[j].image_url`. */
export type InlineImages = ReadonlyMap<string, InlineImage>;

/** A Converse request plus what the answer mapping must know about it. */
export interface ConversePlan {
  readonly input: ConverseRequest & { modelId: string };
  /** Set when `json_schema` was rewritten: tool uses of this name are the answer's content. */
  readonly structuredTool?: string;
}

/** The `image_url` parts the adapter must inline before {@link toConversePlan}. */
export function imageReferences(messages: readonly ChatMessage[]): ImageReference[] {
  const refs: ImageReference[] = [];
  messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, j) => {
      if (part.type === 'image_url') {
        refs.push({ param: imageParam(i, j), url: part.image_url.url });
      }
    });
  });
  return refs;
}

/** @throws GatewayError 400 for what Converse cannot honour or a malformed tool-call history. */
export function toConversePlan(
  request: ChatCompletionRequest,
  model: string,
  images: InlineImages,
): ConversePlan {
  refuseUnsupported(request);
  const { system, messages } = toConverseMessages(request.messages, images);
  const input: ConverseRequest & { modelId: string } = { modelId: model, messages };

  if (request.response_format?.type === 'json_object')
    system.push({ text: JSON_OBJECT_INSTRUCTION });
  if (system.length > 0) input.system = system;

  const inference = toInferenceConfig(request);
  if (inference !== undefined) input.inferenceConfig = inference;

  const format = request.response_format;
  const structuredTool = format?.type === 'json_schema' ? STRUCTURED_OUTPUT_TOOL : undefined;
  const toolConfig = toToolConfig(request, messages);
  if (toolConfig !== undefined) input.toolConfig = toolConfig;
  const choice = toolConfig?.toolChoice;
  applyThinking(input, request, choice?.any !== undefined || choice?.tool !== undefined);
  return structuredTool === undefined ? { input } : { input, structuredTool };
}

function refuseUnsupported(request: ChatCompletionRequest): void {
  const refuse = (param: string, what: string) =>
    new GatewayError(
      ErrorCode.UnsupportedCapability,
      `Provider 'bedrock' does not support ${what} (the Converse API has no equivalent).`,
      { param, provider: 'bedrock' },
    );
  if (request.seed !== undefined) throw refuse('seed', "'seed'");
  // A zero penalty is the default: only a real one would be silently ignored.
  if (request.frequency_penalty !== undefined && request.frequency_penalty !== 0) {
    throw refuse('frequency_penalty', "'frequency_penalty'");
  }
  if (request.presence_penalty !== undefined && request.presence_penalty !== 0) {
    throw refuse('presence_penalty', "'presence_penalty'");
  }
  if (request.parallel_tool_calls === false) {
    throw refuse('parallel_tool_calls', "'parallel_tool_calls: false'");
  }
}

function toInferenceConfig(request: ChatCompletionRequest): InferenceConfiguration | undefined {
  const config: InferenceConfiguration = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop !== undefined) {
    const stops = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
    if (stops.length > 0) config.stopSequences = stops;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * `system` and `developer` messages become system blocks wherever they stand; the rest become
 * turns, tool results joining the user turn, and consecutive same-role turns merged (Converse
 * requires user and assistant to alternate).
 */
function toConverseMessages(
  input: readonly ChatMessage[],
  images: InlineImages,
): { system: SystemContentBlock[]; messages: Message[] } {
  const system: SystemContentBlock[] = [];
  const messages: Message[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content = [...(last.content ?? []), ...blocks];
    else messages.push({ role, content: blocks });
  };
  input.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOnly(message, i);
        if (text !== '') system.push({ text });
        return;
      }
      case 'user':
        return push('user', userBlocks(message, i, images));
      case 'assistant':
        return push('assistant', assistantBlocks(message, i));
      case 'tool':
        return push('user', [toolResultBlock(message, i)]);
    }
  });
  return { system, messages };
}

function userBlocks(message: ChatMessage, i: number, images: InlineImages): ContentBlock[] {
  const content = message.content;
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part, j): ContentBlock[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
    return [imageBlock(images, imageParam(i, j))];
  });
}

function assistantBlocks(message: ChatMessage, i: number): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  const text = textOnly(message, i);
  if (text !== '') blocks.push({ text });
  (message.tool_calls ?? []).forEach((call, j) => {
    blocks.push({
      toolUse: {
        toolUseId: call.id,
        name: call.function.name,
        input: toolInput(
          call.function.arguments,
          `messages[${i}].tool_calls[${j}].function.arguments`,
        ),
      },
    });
  });
  return blocks;
}

function toolResultBlock(message: ChatMessage, i: number): ContentBlock {
  if (message.tool_call_id === undefined || message.tool_call_id === '') {
    throw new GatewayError(ErrorCode.ValidationError, 'A tool message needs its tool_call_id.', {
      param: `messages[${i}].tool_call_id`,
    });
  }
  const text = textOnly(message, i);
  const content: ToolResultContentBlock[] = text === '' ? [] : [{ text }];
  return { toolResult: { toolUseId: message.tool_call_id, content } };
}

function imageBlock(images: InlineImages, param: string): ContentBlock {
  const image = images.get(param);
  if (image === undefined) {
    throw new GatewayError(ErrorCode.InternalError, `The image at ${param} was not inlined.`);
  }
  const format = IMAGE_FORMATS[image.mimeType.toLowerCase()];
  if (format === undefined) {
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      `Provider 'bedrock' takes png, jpeg, gif and webp images, not ${image.mimeType}.`,
      { param },
    );
  }
  return { image: { format, source: { bytes: Buffer.from(image.data, 'base64') } } };
}

/** Text of a message whose role takes no images (system, developer, assistant, tool). */
function textOnly(message: ChatMessage, i: number): string {
  const content = message.content;
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part: ContentPart, j) => {
      if (part.type === 'text') return part.text;
      throw new GatewayError(
        ErrorCode.UnsupportedCapability,
        `Provider 'bedrock' takes images only in user messages, not in a ${message.role} message.`,
        { param: `messages[${i}].content[${j}]`, provider: 'bedrock' },
      );
    })
    .join('');
}

/** Converse wants the tool input as a JSON object, where OpenAI carries a JSON string. */
function toolInput(args: string, param: string): JsonDocument {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new GatewayError(ErrorCode.ValidationError, 'Tool-call arguments must be valid JSON.', {
      param,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError(
      ErrorCode.ValidationError,
      'Tool-call arguments must be a JSON object for this provider.',
      { param },
    );
  }
  return parsed as JsonDocument;
}

/**
 * Tools and tool choice, with the `json_schema` rewrite: a forced `structured_output` tool, or
 * `any` when the caller's own tools stay on offer (the model must then answer through a tool).
 * Converse has no `none`: the tool config is left out, which it refuses once the history holds
 * tool calls (wire-formats 18.3), so that case is refused here with a clear message instead.
 */
function toToolConfig(
  request: ChatCompletionRequest,
  messages: readonly Message[],
): ToolConfiguration | undefined {
  const choice: ToolChoice | undefined = request.tool_choice;
  const offered = choice === 'none' ? [] : (request.tools ?? []);
  const format = request.response_format;
  const historyUsesTools = messages.some((m) =>
    (m.content ?? []).some((b) => b.toolUse !== undefined || b.toolResult !== undefined),
  );
  if (
    offered.some((t) => t.function.name === STRUCTURED_OUTPUT_TOOL) &&
    format?.type === 'json_schema'
  ) {
    throw new GatewayError(
      ErrorCode.ValidationError,
      `The tool name '${STRUCTURED_OUTPUT_TOOL}' is reserved for response_format json_schema on this provider.`,
      { param: 'tools' },
    );
  }

  const tools: Tool[] = offered.map(toToolSpec);
  if (format?.type === 'json_schema') {
    tools.push({
      toolSpec: {
        name: STRUCTURED_OUTPUT_TOOL,
        description: format.json_schema.description ?? STRUCTURED_OUTPUT_DESCRIPTION,
        inputSchema: { json: jsonSchema(format.json_schema.schema) },
      },
    });
    return {
      tools,
      toolChoice: offered.length > 0 ? { any: {} } : { tool: { name: STRUCTURED_OUTPUT_TOOL } },
    };
  }
  if (tools.length === 0) {
    if (historyUsesTools) {
      throw new GatewayError(
        choice === 'none' ? ErrorCode.UnsupportedCapability : ErrorCode.ValidationError,
        choice === 'none'
          ? "Provider 'bedrock' cannot turn tools off (tool_choice 'none') in a conversation that already holds tool calls: Converse needs the tools declared then."
          : "Provider 'bedrock' needs the tools declared in 'tools' when the messages hold tool calls or tool results.",
        { param: choice === 'none' ? 'tool_choice' : 'tools', provider: 'bedrock' },
      );
    }
    return undefined;
  }
  const config: ToolConfiguration = { tools };
  if (choice === 'auto') config.toolChoice = { auto: {} };
  else if (choice === 'required') config.toolChoice = { any: {} };
  else if (typeof choice === 'object') config.toolChoice = { tool: { name: choice.function.name } };
  return config;
}

function toToolSpec(tool: FunctionTool): Tool {
  return {
    toolSpec: {
      name: tool.function.name,
      ...(tool.function.description === undefined
        ? {}
        : { description: tool.function.description }),
      inputSchema: { json: jsonSchema(tool.function.parameters) },
    },
  };
}

/** Converse requires a schema; a parameterless OpenAI function means this one. */
function jsonSchema(schema: Record<string, unknown> | undefined): JsonDocument {
  return (schema ?? { type: 'object', properties: {} }) as JsonDocument;
}

function imageParam(i: number, j: number): string {
  return `messages[${i}].content[${j}].image_url`;
}
