import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest, FunctionTool } from '../llm-provider.types.js';
import { THINKING_BUDGETS } from '../reasoning-budget.js';
import { anthropicFields } from './anthropic.parameter-map.js';
import { toAnthropicRequest } from './anthropic-request.mapper.js';
import { toUsage } from './anthropic-response.mapper.js';

/** `reasoning_effort` and `safety_identifier` on the way to the Messages API (contract 4.2). */

function map(request: Partial<ChatCompletionRequest>) {
  return toAnthropicRequest(
    { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], ...request },
    { model: 'claude-sonnet-4-5', stream: false, defaultMaxTokens: 1024 },
  ).body;
}

function refusal(request: Partial<ChatCompletionRequest>): GatewayError {
  try {
    map(request);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the mapper to refuse the request');
}

const weather: FunctionTool = { type: 'function', function: { name: 'get_weather' } };

describe('Anthropic extended thinking from reasoning_effort', () => {
  it.each([
    ['low', 2_048],
    ['medium', 8_192],
    ['high', 16_384],
    ['xhigh', 32_768],
  ] as const)('maps %s to a budget of %d tokens, max_tokens raised above it', (effort, budget) => {
    expect(THINKING_BUDGETS[effort]).toBe(budget);
    const body = map({ reasoning_effort: effort });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(body.max_tokens).toBe(budget + 1024);
  });

  it.each(['none', 'minimal'] as const)('turns thinking off for %s', (effort) => {
    const body = map({ reasoning_effort: effort, temperature: 0.2 });
    expect(body.thinking).toEqual({ type: 'disabled' });
    expect(body.max_tokens).toBe(1024);
    expect(body.temperature).toBe(0.2);
  });

  it("keeps a caller's max_completion_tokens above the budget, and refuses one at or below it", () => {
    expect(map({ reasoning_effort: 'low', max_completion_tokens: 5000 }).max_tokens).toBe(5000);
    const error = refusal({ reasoning_effort: 'medium', max_completion_tokens: 8192 });
    expect(error).toMatchObject({
      code: ErrorCode.UnsupportedCapability,
      param: 'max_completion_tokens',
      provider: 'anthropic',
    });
    expect(error.message).toBe(
      "Provider 'anthropic' needs max_completion_tokens above the thinking budget of 8192 tokens for reasoning_effort 'medium'; raise it or lower the effort.",
    );
    expect(refusal({ reasoning_effort: 'low', max_tokens: 100 }).param).toBe('max_tokens');
  });

  it('refuses what thinking rules out: temperature other than 1, low top_p, a forced tool', () => {
    expect(map({ reasoning_effort: 'low', temperature: 1, top_p: 0.95 }).thinking).toBeDefined();
    expect(refusal({ reasoning_effort: 'low', temperature: 0.3 }).message).toBe(
      "Provider 'anthropic' thinks with reasoning_effort 'low' only at temperature 1 (or unset), not 0.3.",
    );
    expect(refusal({ reasoning_effort: 'high', top_p: 0.5 }).param).toBe('top_p');
    expect(
      refusal({ reasoning_effort: 'low', tools: [weather], tool_choice: 'required' }).param,
    ).toBe('tool_choice');
    const structured = refusal({
      reasoning_effort: 'low',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'a', schema: { type: 'object' } },
      },
    });
    expect(structured.param).toBe('response_format');
    // Tools the model may call or not are fine while thinking.
    expect(map({ reasoning_effort: 'low', tools: [weather] }).tool_choice).toBeUndefined();
  });

  it('names the end user from safety_identifier, ahead of user', () => {
    expect(map({ safety_identifier: 'hash-1', user: 'u' }).metadata).toEqual({ user_id: 'hash-1' });
    expect(map({ user: 'u' }).metadata).toEqual({ user_id: 'u' });
  });

  it('declares thinking only for models that have it', () => {
    expect(anthropicFields('claude-opus-5').reasoning_effort).toEqual({ how: 'mapped' });
    expect(anthropicFields('claude-3-7-sonnet-latest').reasoning_effort).toBeDefined();
    expect(anthropicFields('claude-3-5-haiku-latest').reasoning_effort).toBeUndefined();
    expect(anthropicFields('claude-3-opus-20240229')).toEqual({
      safety_identifier: { how: 'mapped' },
    });
  });

  it('counts thinking tokens as reasoning tokens when the answer reports them', () => {
    expect(
      toUsage({
        input_tokens: 10,
        output_tokens: 300,
        output_tokens_details: { thinking_tokens: 250 },
      }),
    ).toEqual({
      prompt_tokens: 10,
      completion_tokens: 300,
      total_tokens: 310,
      completion_tokens_details: { reasoning_tokens: 250 },
    });
  });
});
