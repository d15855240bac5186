/**
 * How the fake Anthropic server judges a request, in Anthropic's words (wire-formats 3.1, 3.4,
 * 20.3): required headers and `max_tokens`, no unknown fields at any level, roles `user` and
 * `assistant` only and alternating, `tool_result` blocks matching the `tool_use` blocks of the
 * turn just before (and every `tool_use` answered), temperature within 0..1. Pure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { anthropicError, type AnthropicErrorBody } from './fake-anthropic.payloads.js';

/** The API versions the fake knows; Anthropic refuses any other value. */
const VERSIONS: ReadonlySet<string> = new Set(['2023-06-01', '2023-01-01']);

const REQUEST_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream',
  'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'thinking', 'service_tier',
  'output_config', 'container', 'context_management', 'mcp_servers',
]); // prettier-ignore

const TOOL_FIELDS: ReadonlySet<string> = new Set([
  'name', 'description', 'input_schema', 'cache_control', 'type', 'strict', 'input_examples',
]); // prettier-ignore

/** The keys each content block type may carry. */
const BLOCK_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  text: new Set(['type', 'text', 'cache_control', 'citations']),
  image: new Set(['type', 'source', 'cache_control']),
  tool_use: new Set(['type', 'id', 'name', 'input', 'cache_control']),
  tool_result: new Set(['type', 'tool_use_id', 'content', 'is_error', 'cache_control']),
  thinking: new Set(['type', 'thinking', 'signature']),
  redacted_thinking: new Set(['type', 'data']),
};

const MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
]);

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

export interface Refusal {
  readonly status: number;
  readonly body: AnthropicErrorBody;
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

export interface MessagesCall {
  readonly body: Record<string, unknown>;
  readonly model: string;
  readonly stream: boolean;
}

type Json = Record<string, unknown>;

/** Thrown inside the checks, caught by {@link checkMessagesRequest}: the first fault wins. */
class Fault extends Error {}

/** Auth first, then the version header, as the API does. */
export function checkHeaders(headers: IncomingHttpHeaders, apiKey: string): Refusal | undefined {
  if (headers['x-api-key'] !== apiKey) {
    return { status: 401, body: anthropicError('authentication_error', 'invalid x-api-key') };
  }
  const version = headers['anthropic-version'];
  if (version === undefined) {
    return invalidRequest('anthropic-version: header is required');
  }
  if (typeof version !== 'string' || !VERSIONS.has(version)) {
    return invalidRequest(`anthropic-version: invalid version '${String(version)}'`);
  }
  return undefined;
}

export function checkMessagesRequest(
  json: unknown,
  contentType: string | undefined,
): Checked<MessagesCall> {
  if (!contentType?.toLowerCase().startsWith('application/json')) {
    return { ok: false, refusal: invalidRequest('content-type must be application/json') };
  }
  try {
    const body = record(json, 'body');
    checkTopLevel(body);
    return {
      ok: true,
      value: { body, model: body.model as string, stream: body.stream === true },
    };
  } catch (error) {
    if (error instanceof Fault) return { ok: false, refusal: invalidRequest(error.message) };
    throw error;
  }
}

/** Extended thinking as Anthropic checks it (extended-thinking guide), in its words. */
function checkThinking(body: Json): void {
  const thinking = body.thinking;
  if (thinking === undefined) return;
  if (typeof thinking !== 'object' || thinking === null)
    fault('thinking: Input should be an object');
  const { type, budget_tokens: budget } = thinking as Json;
  if (type === 'disabled') return;
  if (type !== 'enabled') fault("thinking.type: Input should be 'enabled' or 'disabled'");
  if (!Number.isInteger(budget) || (budget as number) < 1024) {
    fault('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  }
  if ((body.max_tokens as number) <= (budget as number)) {
    fault('`max_tokens` must be greater than `thinking.budget_tokens`.');
  }
  if (body.temperature !== undefined && body.temperature !== 1) {
    fault('`temperature` may only be set to 1 when thinking is enabled.');
  }
  const choice = body.tool_choice as Json | undefined;
  if (choice?.type === 'any' || choice?.type === 'tool') {
    fault('Thinking may not be enabled when tool_choice forces tool use.');
  }
}

function checkTopLevel(body: Json): void {
  extraKeys(body, REQUEST_FIELDS, '');
  if (typeof body.model !== 'string' || body.model === '') fault('model: Field required');
  if (body.max_tokens === undefined) fault('max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    fault('max_tokens: Input should be an integer greater than or equal to 1');
  }
  if (body.messages === undefined) fault('messages: Field required');
  if (!Array.isArray(body.messages)) fault('messages: Input should be a valid list');
  if (body.messages.length === 0) fault('messages: at least one message is required');
  checkSystem(body.system);
  range(body.temperature, 'temperature', 0, 1);
  range(body.top_p, 'top_p', 0, 1);
  checkThinking(body);
  if (body.top_k !== undefined && !(Number.isInteger(body.top_k) && (body.top_k as number) >= 0)) {
    fault('top_k: Input should be a non-negative integer');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    fault('stream: Input should be a valid boolean');
  }
  if (body.stop_sequences !== undefined) {
    const stops = body.stop_sequences;
    if (!Array.isArray(stops) || !stops.every((s) => typeof s === 'string')) {
      fault('stop_sequences: Input should be a valid list of strings');
    }
  }
  if (body.metadata !== undefined) {
    const metadata = record(body.metadata, 'metadata');
    extraKeys(metadata, new Set(['user_id']), 'metadata.');
    if (metadata.user_id !== undefined && metadata.user_id !== null) {
      if (typeof metadata.user_id !== 'string')
        fault('metadata.user_id: Input should be a valid string');
    }
  }
  const toolNames = checkTools(body.tools);
  checkToolChoice(body.tool_choice, toolNames);
  const usesTools = checkMessages(body.messages);
  if (usesTools && toolNames.length === 0) {
    fault('Requests which include `tool_use` or `tool_result` blocks must define tools.');
  }
}

function checkSystem(system: unknown): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system)) fault('system: Input should be a valid string or list');
  system.forEach((block, i) => checkBlock(block, `system.${i}`, ['text']));
}

function checkTools(tools: unknown): string[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) fault('tools: Input should be a valid list');
  const names = tools.map((value, i) => {
    const tool = record(value, `tools.${i}`);
    extraKeys(tool, TOOL_FIELDS, `tools.${i}.`);
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      fault(`tools.${i}.name: String should match pattern '${TOOL_NAME.source}'`);
    }
    if (tool.description !== undefined && typeof tool.description !== 'string') {
      fault(`tools.${i}.description: Input should be a valid string`);
    }
    const schema = record(tool.input_schema, `tools.${i}.input_schema`);
    if (schema.type !== 'object') fault(`tools.${i}.input_schema.type: Input should be 'object'`);
    return tool.name;
  });
  if (new Set(names).size !== names.length) fault('tools: Tool names must be unique.');
  return names;
}

function checkToolChoice(value: unknown, toolNames: readonly string[]): void {
  if (value === undefined) return;
  const choice = record(value, 'tool_choice');
  const keys = choice.type === 'none' ? ['type'] : ['type', 'name', 'disable_parallel_tool_use'];
  extraKeys(choice, new Set(keys), 'tool_choice.');
  if (!['auto', 'any', 'tool', 'none'].includes(String(choice.type))) {
    fault("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  }
  if (choice.type === 'tool') {
    if (typeof choice.name !== 'string') fault('tool_choice.name: Field required');
    if (!toolNames.includes(choice.name)) {
      fault(`tool_choice.name: Tool '${choice.name}' not found in tools`);
    }
  } else if (choice.name !== undefined) {
    fault('tool_choice.name: Extra inputs are not permitted');
  }
  if (choice.type !== 'none' && toolNames.length === 0) {
    fault('tool_choice: tool_choice may only be specified while providing tools');
  }
}

/** Returns whether any tool_use or tool_result block appears. */
function checkMessages(messages: unknown[]): boolean {
  let usesTools = false;
  let previousRole: unknown;
  let pendingToolUses: string[] = [];
  messages.forEach((value, n) => {
    const message = record(value, `messages.${n}`);
    extraKeys(message, new Set(['role', 'content']), `messages.${n}.`);
    const { role } = message;
    if (role !== 'user' && role !== 'assistant') {
      fault(`messages.${n}.role: Input should be 'user' or 'assistant'`);
    }
    if (role === previousRole) {
      fault(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`,
      );
    }
    previousRole = role;
    const blocks = contentBlocks(message.content, `messages.${n}.content`);
    const isFinalAssistant = n === messages.length - 1 && role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant) {
      fault(
        `messages.${n}: all messages must have non-empty content except for the optional final assistant message`,
      );
    }

    const allowed =
      role === 'user'
        ? ['text', 'image', 'tool_result']
        : ['text', 'tool_use', 'thinking', 'redacted_thinking'];
    let resultsDone = false;
    const answered: string[] = [];
    const toolUses: string[] = [];
    blocks.forEach((block, k) => {
      const at = `messages.${n}.content.${k}`;
      checkBlock(block, at, allowed);
      if (block.type === 'tool_result') {
        usesTools = true;
        if (resultsDone) fault(`${at}: tool_result blocks must come before any other content`);
        const id = block.tool_use_id as string;
        if (!pendingToolUses.includes(id)) {
          fault(
            `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
        answered.push(id);
      } else {
        resultsDone = true;
      }
      if (block.type === 'tool_use') {
        usesTools = true;
        toolUses.push(block.id as string);
      }
    });
    const unanswered = pendingToolUses.filter((id) => !answered.includes(id));
    if (unanswered.length > 0) {
      fault(
        `messages.${n - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    pendingToolUses = toolUses;
  });
  return usesTools;
}

function contentBlocks(content: unknown, at: string): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) fault(`${at}: Input should be a valid string or list`);
  return content.map((block, k) => record(block, `${at}.${k}`));
}

function checkBlock(value: unknown, at: string, allowed: readonly string[]): void {
  const block = record(value, at);
  const type = String(block.type);
  if (!allowed.includes(type)) {
    fault(
      `${at}.type: Input tag '${type}' found using 'type' does not match any of the expected tags: ${allowed.map((t) => `'${t}'`).join(', ')}`,
    );
  }
  extraKeys(block, BLOCK_FIELDS[type], `${at}.`);
  switch (type) {
    case 'text':
      if (typeof block.text !== 'string') fault(`${at}.text: Field required`);
      if (block.text.trim() === '')
        fault(`${at}: text content blocks must contain non-whitespace text`);
      return;
    case 'image':
      return checkImageSource(block.source, `${at}.source`);
    case 'tool_use':
      if (typeof block.id !== 'string' || block.id === '') fault(`${at}.id: Field required`);
      if (typeof block.name !== 'string') fault(`${at}.name: Field required`);
      record(block.input, `${at}.input`);
      return;
    case 'tool_result':
      if (typeof block.tool_use_id !== 'string') fault(`${at}.tool_use_id: Field required`);
      if (block.is_error !== undefined && typeof block.is_error !== 'boolean') {
        fault(`${at}.is_error: Input should be a valid boolean`);
      }
      if (block.content !== undefined && typeof block.content !== 'string') {
        if (!Array.isArray(block.content))
          fault(`${at}.content: Input should be a valid string or list`);
        block.content.forEach((inner, i) =>
          checkBlock(inner, `${at}.content.${i}`, ['text', 'image']),
        );
      }
      return;
    default:
      return;
  }
}

function checkImageSource(value: unknown, at: string): void {
  const source = record(value, at);
  if (source.type === 'base64') {
    extraKeys(source, new Set(['type', 'media_type', 'data']), `${at}.`);
    if (typeof source.media_type !== 'string' || !MEDIA_TYPES.has(source.media_type)) {
      fault(
        `${at}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`,
      );
    }
    if (typeof source.data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(source.data)) {
      fault(`${at}.data: The image data is not valid base64`);
    }
    return;
  }
  if (source.type === 'url') {
    extraKeys(source, new Set(['type', 'url']), `${at}.`);
    if (typeof source.url !== 'string' || !source.url.startsWith('https://')) {
      fault(`${at}.url: Input should be a valid https URL`);
    }
    return;
  }
  fault(
    `${at}.type: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url'`,
  );
}

function range(value: unknown, name: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number') fault(`${name}: Input should be a valid number`);
  if (value < min) fault(`${name}: Input should be greater than or equal to ${min}`);
  if (value > max) fault(`${name}: Input should be less than or equal to ${max}`);
}

function extraKeys(value: Json, allowed: ReadonlySet<string> | undefined, prefix: string): void {
  const extra = Object.keys(value).find((key) => !allowed?.has(key));
  if (extra !== undefined) fault(`${prefix}${extra}: Extra inputs are not permitted`);
}

function record(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fault(`${at}: Input should be a valid dictionary`);
  }
  return value as Json;
}

function fault(message: string): never {
  throw new Fault(message);
}

function invalidRequest(message: string): Refusal {
  return { status: 400, body: anthropicError('invalid_request_error', message) };
}
