import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatMessage, ContentPart, ImagePart, ToolCall } from '../llm-provider.types.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic-wire.types.js';

/**
 * Pure translation of an OpenAI conversation into Anthropic's `system` + `messages`
 * (wire-formats 3.1). Callers' mistakes that Anthropic would refuse without saying why to our
 * callers (the upstream's text is never echoed) are refused here with a `GatewayError` naming
 * the field.
 */

export interface AnthropicConversation {
  /** Every system and developer message, in order; absent when there is none. */
  readonly system?: string;
  /** Alternating user/assistant turns. */
  readonly messages: AnthropicMessage[];
}

/** What Anthropic accepts as a base64 image source. */
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
]);

const DATA_URL = /^data:([^;,]+);base64,([\s\S]*)$/i;

export function toAnthropicConversation(messages: readonly ChatMessage[]): AnthropicConversation {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, i) => {
    const at = `messages[${i}]`;
    // A tool message's `name` repeats what `tool_call_id` already identifies, so it is not lost.
    if (message.name !== undefined && message.role !== 'tool') {
      throw refuse(
        ErrorCode.UnsupportedCapability,
        "Provider 'anthropic' does not support participant names on messages.",
        `${at}.name`,
      );
    }
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = systemText(message.content, at);
        if (text !== '') system.push(text);
        return;
      }
      case 'user':
        return push(turns, { role: 'user', content: userContent(message.content, at) });
      case 'assistant':
        return push(turns, { role: 'assistant', content: assistantContent(message, at) });
      case 'tool':
        return push(turns, { role: 'user', content: [toolResult(message, at)] });
    }
  });
  return system.length > 0 ? { system: system.join('\n\n'), messages: turns } : { messages: turns };
}

/**
 * Anthropic requires alternating roles, and the tool results answering one assistant turn must
 * all sit in the next user turn: consecutive same-role messages become one turn, in order.
 */
function push(turns: AnthropicMessage[], turn: AnthropicMessage): void {
  const last = turns[turns.length - 1];
  if (last?.role !== turn.role) {
    turns.push(turn);
    return;
  }
  last.content = [...asBlocks(last.content), ...asBlocks(turn.content)];
}

function asBlocks(content: string | AnthropicContentBlock[]): AnthropicContentBlock[] {
  if (typeof content !== 'string') return content;
  return content === '' ? [] : [{ type: 'text', text: content }];
}

function systemText(content: ChatMessage['content'], at: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  return content
    .map((part, j) => {
      if (part.type === 'text') return part.text;
      throw refuse(
        ErrorCode.UnsupportedCapability,
        "Provider 'anthropic' does not take images in system or developer messages.",
        `${at}.content[${j}]`,
      );
    })
    .join('\n');
}

function userContent(
  content: ChatMessage['content'],
  at: string,
): string | AnthropicContentBlock[] {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  return parts(content, at);
}

/** Text and images; empty text parts are skipped, as Anthropic refuses empty text blocks. */
function parts(
  content: readonly ContentPart[],
  at: string,
): (AnthropicTextBlock | AnthropicImageBlock)[] {
  const blocks: (AnthropicTextBlock | AnthropicImageBlock)[] = [];
  content.forEach((part, j) => {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else {
      blocks.push(toImageBlock(part, `${at}.content[${j}].image_url`));
    }
  });
  return blocks;
}

function assistantContent(message: ChatMessage, at: string): string | AnthropicContentBlock[] {
  const calls = message.tool_calls ?? [];
  const { content } = message;
  if (calls.length === 0 && typeof content === 'string') return content;
  const blocks: AnthropicContentBlock[] = [];
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      if (part.type === 'image_url') {
        throw refuse(
          ErrorCode.UnsupportedCapability,
          "Provider 'anthropic' does not take images in assistant messages.",
          `${at}.content[${j}]`,
        );
      }
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    });
  }
  calls.forEach((call, j) => blocks.push(toToolUse(call, `${at}.tool_calls[${j}]`)));
  return blocks;
}

function toToolUse(call: ToolCall, at: string): AnthropicToolUseBlock {
  return {
    type: 'tool_use',
    id: call.id,
    name: call.function.name,
    input: toolInput(call.function.arguments, `${at}.function.arguments`),
  };
}

/** Anthropic wants the arguments as an object; OpenAI carries them as a JSON string. */
function toolInput(args: string, param: string): Record<string, unknown> {
  // Some models emit "" for a call without arguments.
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw refuse(
      ErrorCode.InvalidRequest,
      'Tool call arguments must be a JSON object for provider anthropic.',
      param,
    );
  }
  return parsed as Record<string, unknown>;
}

function toolResult(message: ChatMessage, at: string): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: message.tool_call_id ?? '',
  };
  const { content } = message;
  if (typeof content === 'string') {
    if (content !== '') block.content = content;
  } else if (Array.isArray(content)) {
    const blocks = parts(content, at);
    if (blocks.length > 0) block.content = blocks;
  }
  return block;
}

/** Base64 data URLs become base64 sources; https URLs are passed for Anthropic to fetch. */
function toImageBlock(part: ImagePart, param: string): AnthropicImageBlock {
  const { url } = part.image_url;
  const data = DATA_URL.exec(url);
  if (data) {
    const mediaType = data[1].toLowerCase();
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw refuse(
        ErrorCode.InvalidRequest,
        `Provider 'anthropic' takes image/jpeg, image/png, image/gif and image/webp images, not ${mediaType}.`,
        param,
      );
    }
    return {
      type: 'image',
      source: { type: 'base64', media_type: mediaType, data: data[2].replace(/\s+/g, '') },
    };
  }
  if (/^https:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw refuse(
    ErrorCode.InvalidRequest,
    "Provider 'anthropic' takes images as https: URLs or base64 data: URLs.",
    param,
  );
}

function refuse(code: ErrorCode, message: string, param: string): GatewayError {
  return new GatewayError(code, message, { param, provider: 'anthropic' });
}
