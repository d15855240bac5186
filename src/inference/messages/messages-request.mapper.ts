import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ToolCall,
  ToolChoice,
} from '../../providers/llm-provider.types.js';
import type {
  CountTokensRequest,
  MessagesContentBlock,
  MessagesRequest,
  MessagesTool,
} from './dto/messages-request.schema.js';

/*
 * Pure translation of a Messages request into the gateway's chat form (contract 15), the form the
 * governance stages read and every provider takes. Hints that do not change what the answer means
 * (`cache_control`, `context_management`, `output_config` effort, `metadata` but its user,
 * `service_tier`, earlier `thinking` blocks) are dropped; what the answer depends on is translated
 * or refused by name with `unsupported_capability`, never dropped.
 */

type Prompt = Pick<CountTokensRequest, 'model' | 'messages' | 'system' | 'tools' | 'tool_choice'> &
  Partial<Pick<MessagesRequest, 'output_config'>>;

/** The chat request a Messages request stands for. */
export function toChatRequest(request: MessagesRequest): ChatCompletionRequest {
  const chat = promptToChat(request);
  chat.max_tokens = request.max_tokens;
  if (request.stream === true) {
    chat.stream = true;
    // The Messages stream ends with the usage; the chat stream gives it only when asked.
    chat.stream_options = { include_usage: true };
  }
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) {
    throw unsupported('top_k', 'top_k is honoured only by Anthropic models (passthrough).');
  }
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) {
    chat.stop = request.stop_sequences;
  }
  const user = request.metadata?.user_id;
  if (typeof user === 'string' && user !== '') chat.user = user;
  return chat;
}

/** The chat form of a count_tokens body: its prompt, for the estimate and for governance. */
export function toChatPrompt(request: CountTokensRequest): ChatCompletionRequest {
  return promptToChat(request);
}

function promptToChat(request: Prompt): ChatCompletionRequest {
  const format = request.output_config?.format;
  if (format !== undefined && format !== null) {
    throw unsupported('output_config.format', 'Structured output is not translated.');
  }
  const messages: ChatMessage[] = [];
  const system = systemText(request.system);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  request.messages.forEach((message, i) => {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
    } else if (message.role === 'assistant') {
      messages.push(assistantMessage(message.content, i));
    } else {
      messages.push(...userMessages(message.content, i));
    }
  });
  const chat: ChatCompletionRequest = { model: request.model, messages };
  if (request.tools !== undefined && request.tools.length > 0) {
    chat.tools = request.tools.map(toFunctionTool);
  }
  const choice = request.tool_choice;
  if (choice !== undefined) {
    chat.tool_choice = toToolChoice(choice);
    if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true) {
      chat.parallel_tool_calls = false;
    }
  }
  return chat;
}

function systemText(system: Prompt['system']): string | undefined {
  if (system === undefined) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  const text = system.map((block) => block.text).join('\n\n');
  return text === '' ? undefined : text;
}

/** Text and tool calls of an assistant turn; earlier thinking is the vendor's and is dropped. */
function assistantMessage(blocks: MessagesContentBlock[], i: number): ChatMessage {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  blocks.forEach((block, j) => {
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        return;
      case 'tool_use':
        calls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input) },
        });
        return;
      case 'thinking':
      case 'redacted_thinking':
        return;
      case 'image':
      case 'document':
      case 'tool_result':
        throw unsupported(
          `messages[${i}].content[${j}]`,
          `An assistant turn cannot carry a ${block.type} block.`,
        );
    }
  });
  const message: ChatMessage = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
  };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

/**
 * A user turn: its tool results become `tool` messages (first, as they answer the assistant's
 * calls), then the rest of its content one user message.
 */
function userMessages(blocks: MessagesContentBlock[], i: number): ChatMessage[] {
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        return;
      case 'image':
        parts.push(imagePart(block));
        return;
      case 'document':
        parts.push(documentPart(block, param));
        return;
      case 'tool_result':
        results.push({
          role: 'tool',
          tool_call_id: block.tool_use_id,
          content: toolResultText(block.content, block.is_error === true, param),
        });
        return;
      case 'thinking':
      case 'redacted_thinking':
      case 'tool_use':
        throw unsupported(param, `A user turn cannot carry a ${block.type} block.`);
    }
  });
  if (parts.length === 0) return results;
  const onlyText = parts.every((part) => part.type === 'text');
  const content = onlyText ? parts.map((part) => (part as { text: string }).text).join('') : parts;
  return [...results, { role: 'user', content }];
}

function imagePart(block: Extract<MessagesContentBlock, { type: 'image' }>): ContentPart {
  const source = block.source;
  const url =
    source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

/** A plain-text document is text the model reads; PDFs and files are not translated. */
function documentPart(
  block: Extract<MessagesContentBlock, { type: 'document' }>,
  param: string,
): ContentPart {
  const source = block.source as { type: string; data?: unknown };
  if (source.type !== 'text' || typeof source.data !== 'string') {
    throw unsupported(param, `A document with a '${source.type}' source is not translated.`);
  }
  const title = typeof block.title === 'string' && block.title !== '' ? `${block.title}\n\n` : '';
  return { type: 'text', text: `${title}${source.data}` };
}

function toolResultText(
  content: Extract<MessagesContentBlock, { type: 'tool_result' }>['content'],
  isError: boolean,
  param: string,
): string {
  let text = '';
  if (typeof content === 'string') text = content;
  else if (content !== undefined) {
    const texts: string[] = [];
    for (const block of content) {
      if (block.type !== 'text') {
        throw unsupported(
          `${param}.content`,
          `A tool result with a ${block.type} block is not translated.`,
        );
      }
      texts.push(block.text);
    }
    text = texts.join('\n');
  }
  // The failure is part of what the model must know; chat tool messages have no flag for it.
  return isError ? `Error: ${text}` : text;
}

function toFunctionTool(tool: MessagesTool, i: number): FunctionTool {
  if (tool.type !== undefined && tool.type !== 'custom') {
    throw unsupported(`tools[${i}]`, `The server tool '${tool.type}' is not translated.`);
  }
  const fn: FunctionTool['function'] = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  fn.parameters = tool.input_schema ?? { type: 'object', properties: {} };
  return { type: 'function', function: fn };
}

function toToolChoice(choice: NonNullable<Prompt['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function unsupported(param: string, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.UnsupportedCapability,
    `${why} The model this request is routed to is reached through translation.`,
    { param },
  );
}
