import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ProviderCapabilities,
} from '../providers/llm-provider.types.js';

/** Something a request needs that a target cannot honour. */
export interface CapabilityGap {
  readonly code: ErrorCode.UnsupportedCapability | ErrorCode.UnsupportedResponseFormat;
  /** The request field that needs it. */
  readonly param: string;
  /** What is missing, in words: `tool calls`, `image inputs`, ... */
  readonly what: string;
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
  if (promptTokens !== undefined && promptTokens > capabilities.maxContextTokens) {
    gap(
      ErrorCode.UnsupportedCapability,
      'messages',
      `a context window of about ${promptTokens} tokens (has ${capabilities.maxContextTokens})`,
    );
  }
  return gaps;
}

/** Refuses what no provider can honour, whatever the target (contract 4.7). */
export function assertServable(request: ChatCompletionRequest): void {
  if (request.n !== undefined && request.n !== 1) {
    throw new GatewayError(ErrorCode.UnsupportedCapability, 'Only n=1 is supported.', {
      param: 'n',
    });
  }
}

/**
 * Refuses, before dispatch, what the one target provider cannot honour, naming the field:
 * never silently dropped.
 */
export function assertCapabilities(
  request: ChatCompletionRequest,
  capabilities: ProviderCapabilities,
  providerId: string,
): void {
  assertServable(request);
  const [first] = capabilityGaps(request, capabilities);
  if (first === undefined) return;
  throw new GatewayError(first.code, `Provider '${providerId}' does not support ${first.what}.`, {
    param: first.param,
    provider: providerId,
  });
}
