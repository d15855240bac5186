import { foldReasoningTokens } from './grok.adapter.js';

describe('Grok usage', () => {
  it('counts reasoning tokens inside completion_tokens, as OpenAI does', () => {
    const holder = {
      usage: {
        prompt_tokens: 291,
        completion_tokens: 26,
        total_tokens: 506,
        completion_tokens_details: { reasoning_tokens: 189 },
      },
    };
    foldReasoningTokens(holder);
    expect(holder.usage.completion_tokens).toBe(215);
    expect(holder.usage.total_tokens).toBe(291 + 215);
  });

  it('leaves usage alone when reasoning is already included', () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 30,
      total_tokens: 40,
      completion_tokens_details: { reasoning_tokens: 20 },
    };
    foldReasoningTokens({ usage });
    expect(usage.completion_tokens).toBe(30);
    foldReasoningTokens({ usage: null });
  });
});
