import { REASONING_EFFORTS } from '../llm-provider.types.js';
import { toGeminiChatBody } from './gemini-request.mapper.js';
import { toChatCompletion } from './gemini-response.mapper.js';
import { geminiFields, toThinkingConfig } from './gemini-thinking.mapper.js';

describe(toThinkingConfig.name, () => {
  const table = (model: string) =>
    Object.fromEntries(REASONING_EFFORTS.map((e) => [e, toThinkingConfig(model, e)]));

  it('gives Gemini 2.5 Flash a budget from the shared table, off for none and minimal', () => {
    expect(table('gemini-2.5-flash')).toEqual({
      none: { thinkingBudget: 0 },
      minimal: { thinkingBudget: 0 },
      low: { thinkingBudget: 2048 },
      medium: { thinkingBudget: 8192 },
      high: { thinkingBudget: 16384 },
      xhigh: { thinkingBudget: 24576 },
    });
  });

  it('keeps Gemini 2.5 Pro at its least (128) for none, up to 32,768', () => {
    expect(toThinkingConfig('gemini-2.5-pro', 'none')).toEqual({ thinkingBudget: 128 });
    expect(toThinkingConfig('gemini-2.5-pro', 'xhigh')).toEqual({ thinkingBudget: 32768 });
  });

  it('gives Gemini 3 a thinking level: two on Pro, four on Flash', () => {
    expect(table('gemini-3-pro-preview')).toEqual({
      none: { thinkingLevel: 'low' },
      minimal: { thinkingLevel: 'low' },
      low: { thinkingLevel: 'low' },
      medium: { thinkingLevel: 'high' },
      high: { thinkingLevel: 'high' },
      xhigh: { thinkingLevel: 'high' },
    });
    expect(table('gemini-3-flash-preview')).toMatchObject({
      minimal: { thinkingLevel: 'minimal' },
      medium: { thinkingLevel: 'medium' },
      xhigh: { thinkingLevel: 'high' },
    });
  });

  it('declares reasoning_effort only for models that think, n (not streamed) for all', () => {
    const n = { how: 'mapped', stream: false };
    expect(geminiFields('gemini-2.5-flash-lite')).toEqual({
      reasoning_effort: { how: 'mapped' },
      n,
    });
    expect(geminiFields('gemini-3-pro-preview').reasoning_effort).toBeDefined();
    expect(geminiFields('gemini-2.0-flash')).toEqual({ n });
    expect(toThinkingConfig('gemini-2.0-flash', 'high')).toBeUndefined();
  });

  it('puts the config in generationConfig.thinkingConfig beside the other settings', () => {
    const body = toGeminiChatBody(
      {
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'Hi' }],
        reasoning_effort: 'medium',
        max_tokens: 9000,
        n: 3,
      },
      new Map(),
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 9000,
      candidateCount: 3,
      thinkingConfig: { thinkingBudget: 8192 },
    });
  });

  it('answers n candidates as n choices, each with its own index and finish reason', () => {
    const completion = toChatCompletion(
      {
        candidates: [
          { index: 0, content: { role: 'model', parts: [{ text: 'One.' }] }, finishReason: 'STOP' },
          {
            index: 1,
            content: { role: 'model', parts: [{ thought: true, text: 'hmm' }, { text: 'Two.' }] },
            finishReason: 'MAX_TOKENS',
          },
        ],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'r1',
      },
      {
        context: { provider: 'gemini', traceId: 't', secrets: [] },
        model: 'gemini-2.5-flash',
        created: 1,
        newKey: () => 'k',
      },
    );
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'One.', 'stop'],
      [1, 'Two.', 'length'],
    ]);
    expect(completion.usage?.total_tokens).toBe(7);
  });
});
