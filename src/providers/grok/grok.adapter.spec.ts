import { foldReasoningTokens, grokFields, grokModel } from './grok.adapter.js';

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

describe('Grok per model', () => {
  it('reads each family’s context window and image support', () => {
    expect(grokModel('grok-4')).toEqual({ vision: true, maxContextTokens: 256_000 });
    expect(grokModel('grok-4-1-fast-reasoning').maxContextTokens).toBe(2_000_000);
    expect(grokModel('grok-3-mini')).toEqual({ vision: false, maxContextTokens: 131_072 });
    expect(grokModel('grok-code-fast-1').vision).toBe(false);
    expect(grokModel('grok-2-vision-1212')).toEqual({});
  });

  it('takes reasoning_effort on the mini models only, low or high', () => {
    expect(grokFields('grok-3-mini')).toEqual({
      reasoning_effort: { how: 'forward', values: ['low', 'high'] },
    });
    expect(grokFields('grok-4')).toEqual({});
  });
});
