import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import {
  type ChatCompletionRequest,
  OPTIONAL_FIELDS,
  type OptionalField,
  type ProviderCapabilities,
} from '../providers/llm-provider.types.js';

/** Something a request needs that a target cannot honour. */
export interface CapabilityGap {
  readonly code: ErrorCode.UnsupportedCapability | ErrorCode.UnsupportedResponseFormat;
  /** The request field that needs it. */
  readonly param: string;
  /** What is missing, in words: `tool calls`, `image inputs`, ... */
  readonly what: string;
  /** One of the optional fields of contract 4.2, whose support differs per model. */
  readonly field?: true;
}

/**
 * Values that ask nothing of a target: the default OpenAI would apply itself. They pass to a
 * target without the field (and are not sent), since leaving them out changes nothing.
 */
function asksNothing(field: OptionalField, value: unknown): boolean {
  if (field === 'n') return value === 1;
  return (field === 'logprobs' || field === 'store') && value === false;
}

/**
 * Everything in `request` the capabilities cannot honour (contract 4.2, 4.7 and the capability
 * matrix of section 5), in the order a caller would fix them. With `promptTokens`, a context
 * window smaller than the prompt is a gap too (routes skip such targets; a lone target is left
 * to its upstream, since the count is an estimate).
 */
export function capabilityGaps(
  request: ChatCompletionRequest,
  capabilities: ProviderCapabilities,
  promptTokens?: number,
): CapabilityGap[] {
  const gaps: CapabilityGap[] = [];
  const gap = (code: CapabilityGap['code'], param: string, what: string) =>
    gaps.push({ code, param, what });

  if (request.stream && !capabilities.streaming) {
    gap(ErrorCode.UnsupportedCapability, 'stream', 'streaming');
  }
  if (!capabilities.vision) {
    const index = request.messages.findIndex(
      (m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'),
    );
    if (index !== -1) {
      gap(ErrorCode.UnsupportedCapability, `messages[${index}].content`, 'image inputs');
    }
  }
  if (!capabilities.tools) {
    // A stream with tools needs tool calls that stream: the same capability here.
    const tools = request.stream ? 'streaming tool calls' : 'tool calls';
    const index = request.messages.findIndex((m) => m.role === 'tool' || m.tool_calls?.length);
    if (request.tools !== undefined && request.tools.length > 0) {
      gap(ErrorCode.UnsupportedCapability, 'tools', tools);
    } else if (request.tool_choice !== undefined && request.tool_choice !== 'none') {
      gap(ErrorCode.UnsupportedCapability, 'tool_choice', tools);
    } else if (index !== -1) {
      gap(ErrorCode.UnsupportedCapability, `messages[${index}]`, tools);
    }
  }
  const format = request.response_format?.type;
  if (format === 'json_schema' && capabilities.jsonSchema === 'none') {
    gap(ErrorCode.UnsupportedResponseFormat, 'response_format', "response_format 'json_schema'");
  }
  if (format === 'json_object' && capabilities.jsonObject === 'none') {
    gap(ErrorCode.UnsupportedResponseFormat, 'response_format', "response_format 'json_object'");
  }
  for (const field of OPTIONAL_FIELDS) {
    const value = request[field];
    if (value === undefined || asksNothing(field, value)) continue;
    const support = capabilities.fields?.[field];
    if (support === undefined) {
      gaps.push({
        code: ErrorCode.UnsupportedCapability,
        param: field,
        what: `'${field}'`,
        field: true,
      });
    } else if (support.stream === false && request.stream === true) {
      gaps.push({
        code: ErrorCode.UnsupportedCapability,
        param: field,
        what: `'${field}' with stream: true`,
        field: true,
      });
    } else if (
      support.values !== undefined &&
      !(typeof value === 'string' && support.values.includes(value))
    ) {
      // `values` narrows string fields only (the validator has checked the type).
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      gaps.push({
        code: ErrorCode.UnsupportedCapability,
        param: field,
        what: `${field} '${shown}' (only ${support.values.join(', ')})`,
        field: true,
      });
    }
  }
  if (promptTokens !== undefined && promptTokens > capabilities.maxContextTokens) {
    gap(
      ErrorCode.UnsupportedCapability,
      'messages',
      `a context window of about ${promptTokens} tokens (has ${capabilities.maxContextTokens})`,
    );
  }
  return gaps;
}

/**
 * Refuses, before dispatch, what the one target provider cannot honour, naming the field (and,
 * for the optional fields that differ per model, the model): never silently dropped.
 */
export function assertCapabilities(
  request: ChatCompletionRequest,
  capabilities: ProviderCapabilities,
  providerId: string,
  model?: string,
): void {
  const [first] = capabilityGaps(request, capabilities);
  if (first === undefined) return;
  const on = first.field && model !== undefined ? ` on model '${model}'` : '';
  throw new GatewayError(
    first.code,
    `Provider '${providerId}' does not support ${first.what}${on}.`,
    { param: first.param, provider: providerId },
  );
}
