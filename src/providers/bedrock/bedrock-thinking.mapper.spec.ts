import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { toConversePlan } from './bedrock-request.mapper.js';
import { bedrockFields } from './bedrock-thinking.mapper.js';

const CLAUDE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';

function plan(request: Partial<ChatCompletionRequest>) {
  return toConversePlan(
    { model: `bedrock/${CLAUDE}`, messages: [{ role: 'user', content: 'Hi' }], ...request },
    CLAUDE,
    new Map(),
  ).input;
}

function refusal(request: Partial<ChatCompletionRequest>): GatewayError {
  try {
    plan(request);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Bedrock Claude thinking from reasoning_effort', () => {
  it('sends Claude thinking through additionalModelRequestFields with maxTokens above the budget', () => {
    const input = plan({ reasoning_effort: 'high' });
    expect(input.additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 16384 },
    });
    expect(input.inferenceConfig?.maxTokens).toBe(16384 + 4096);
    expect(plan({ reasoning_effort: 'low', max_tokens: 3000 }).inferenceConfig?.maxTokens).toBe(
      3000,
    );
  });

  it('turns thinking off for none and minimal', () => {
    expect(plan({ reasoning_effort: 'minimal' }).additionalModelRequestFields).toEqual({
      thinking: { type: 'disabled' },
    });
  });

  it('refuses what Claude thinking rules out, naming the field', () => {
    expect(refusal({ reasoning_effort: 'low', max_completion_tokens: 2048 }).param).toBe(
      'max_completion_tokens',
    );
    expect(refusal({ reasoning_effort: 'low', temperature: 0 }).param).toBe('temperature');
    expect(refusal({ reasoning_effort: 'low', top_p: 0.2 }).param).toBe('top_p');
    const structured = refusal({
      reasoning_effort: 'low',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'a', schema: { type: 'object' } },
      },
    });
    expect(structured).toMatchObject({ param: 'response_format', provider: 'bedrock' });
  });

  it('declares reasoning_effort for thinking Claude models only', () => {
    expect(bedrockFields(CLAUDE)).toEqual({ reasoning_effort: { how: 'mapped' } });
    expect(bedrockFields('us.anthropic.claude-3-7-sonnet-20250219-v1:0')).not.toEqual({});
    expect(bedrockFields('anthropic.claude-3-haiku-20240307-v1:0')).toEqual({});
    expect(bedrockFields('amazon.nova-pro-v1:0')).toEqual({});
  });
});
