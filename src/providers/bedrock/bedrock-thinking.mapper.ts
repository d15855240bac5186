import type { ConverseRequest } from '@aws-sdk/client-bedrock-runtime';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { MAPPED } from '../field-map.js';
import type { ChatCompletionRequest, FieldMap } from '../llm-provider.types.js';
import { thinkingBudget } from '../reasoning-budget.js';

/**
 * `reasoning_effort` for Claude on Bedrock: Converse passes Claude's own `thinking` object through
 * `additionalModelRequestFields` (wire-formats 5.1), with the budget from the shared table and
 * Claude's rules (a temperature of 1, `top_p` of at least 0.95, no forced tool, `maxTokens` above
 * the budget). Other Bedrock families have no such field and refuse it.
 */

/** Claude models on Bedrock that think: 3.7 Sonnet and every Claude 4 or later. */
const CLAUDE_THINKING = /anthropic\.claude-(?!instant|v2|3-(?!7))/;

/** Answer tokens kept on top of the budget when the caller set no limit. */
export const ANSWER_TOKENS_BESIDE_THINKING = 4096;

export function bedrockFields(model: string): FieldMap {
  return CLAUDE_THINKING.test(model) ? { reasoning_effort: MAPPED } : {};
}

/** Adds Claude's `thinking` to the Converse input; throws a 400 naming what thinking rules out. */
export function applyThinking(
  input: ConverseRequest,
  request: ChatCompletionRequest,
  forcedTool: boolean,
): void {
  if (request.reasoning_effort === undefined) return;
  const budget = thinkingBudget(request.reasoning_effort);
  if (budget === undefined) {
    input.additionalModelRequestFields = { thinking: { type: 'disabled' } };
    return;
  }
  const effort = `reasoning_effort '${request.reasoning_effort}'`;
  const refuse = (param: string, message: string) =>
    new GatewayError(ErrorCode.UnsupportedCapability, `Provider 'bedrock' ${message}`, {
      param,
      provider: 'bedrock',
    });
  if (request.temperature !== undefined && request.temperature !== 1) {
    throw refuse('temperature', `thinks with ${effort} only at temperature 1 (or unset).`);
  }
  if (request.top_p !== undefined && request.top_p < 0.95) {
    throw refuse('top_p', `thinks with ${effort} only with top_p between 0.95 and 1 (or unset).`);
  }
  if (forcedTool) {
    const param =
      request.response_format?.type === 'json_schema' ? 'response_format' : 'tool_choice';
    throw refuse(param, `cannot think (${effort}) while a tool call is forced.`);
  }
  const inference = (input.inferenceConfig ??= {});
  if (inference.maxTokens === undefined) {
    inference.maxTokens = budget + ANSWER_TOKENS_BESIDE_THINKING;
  } else if (inference.maxTokens <= budget) {
    const param =
      request.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    throw refuse(
      param,
      `needs ${param} above the thinking budget of ${budget} tokens for ${effort}; raise it or lower the effort.`,
    );
  }
  input.additionalModelRequestFields = { thinking: { type: 'enabled', budget_tokens: budget } };
}
