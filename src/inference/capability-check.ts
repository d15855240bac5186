import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ProviderCapabilities,
} from '../providers/llm-provider.types.js';

/**
 * Refuses, before dispatch, what the target provider cannot honour (contract 4.2, 4.7 and the
 * capability matrix of section 5): never silently dropped.
 */
export function assertCapabilities(
  request: ChatCompletionRequest,
  capabilities: ProviderCapabilities,
  providerId: string,
): void {
  const refuse = (code: ErrorCode, param: string, what: string) =>
    new GatewayError(code, `Provider '${providerId}' does not support ${what}.`, {
      param,
      provider: providerId,
    });

  if (request.n !== undefined && request.n !== 1) {
    throw new GatewayError(ErrorCode.UnsupportedCapability, 'Only n=1 is supported.', {
      param: 'n',
    });
  }
  if (request.stream && !capabilities.streaming) {
    throw refuse(ErrorCode.UnsupportedCapability, 'stream', 'streaming');
  }
  if (!capabilities.vision) {
    const index = request.messages.findIndex(
      (m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'),
    );
    if (index !== -1) {
      throw refuse(ErrorCode.UnsupportedCapability, `messages[${index}].content`, 'image inputs');
    }
  }
  if (!capabilities.tools) {
    if (request.tools !== undefined && request.tools.length > 0) {
      throw refuse(ErrorCode.UnsupportedCapability, 'tools', 'tool calls');
    }
    if (request.tool_choice !== undefined && request.tool_choice !== 'none') {
      throw refuse(ErrorCode.UnsupportedCapability, 'tool_choice', 'tool calls');
    }
    const index = request.messages.findIndex((m) => m.role === 'tool' || m.tool_calls?.length);
    if (index !== -1) {
      throw refuse(ErrorCode.UnsupportedCapability, `messages[${index}]`, 'tool calls');
    }
  }
  const format = request.response_format?.type;
  if (format === 'json_schema' && capabilities.jsonSchema === 'none') {
    throw refuse(
      ErrorCode.UnsupportedResponseFormat,
      'response_format',
      "response_format 'json_schema'",
    );
  }
  if (format === 'json_object' && capabilities.jsonObject === 'none') {
    throw refuse(
      ErrorCode.UnsupportedResponseFormat,
      'response_format',
      "response_format 'json_object'",
    );
  }
}
