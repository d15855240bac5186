import type { ChatMessage } from './llm-provider.types.js';
import {
  CountMemo,
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
  estimateTextTokens,
} from './usage-estimate.js';

describe('usage-estimate', () => {
  describe(estimateTextTokens.name, () => {
    it('counts about four characters per token, at least one for any text', () => {
      expect(estimateTextTokens('')).toBe(0);
      expect(estimateTextTokens('a')).toBe(1);
      expect(estimateTextTokens('abcd')).toBe(1);
      expect(estimateTextTokens('abcde')).toBe(2);
      expect(estimateTextTokens('x'.repeat(400))).toBe(100);
    });
  });

  describe(estimatePromptTokens.name, () => {
    it('charges a fixed overhead per message on top of its text', () => {
      expect(estimatePromptTokens([])).toBe(0);
      expect(estimatePromptTokens([{ role: 'user', content: '' }])).toBe(4);
      expect(
        estimatePromptTokens([
          { role: 'system', content: 'abcd' },
          { role: 'user', content: 'x'.repeat(40) },
        ]),
      ).toBe(4 + 1 + 4 + 10);
    });

    it('counts text parts, names and tool calls, but not images', () => {
      const messages: ChatMessage[] = [
        {
          role: 'user',
          name: 'abcd',
          content: [
            { type: 'text', text: 'x'.repeat(8) },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(4000)}` } },
            { type: 'text', text: 'x'.repeat(4) },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'abcdefgh', arguments: '{"q":"weather"}' },
            },
          ],
        },
      ];

      expect(estimatePromptTokens(messages)).toBe(4 + 1 + 2 + 1 + (4 + 2 + 4));
    });
  });

  describe(estimateEmbeddingInputTokens.name, () => {
    it('estimates text inputs and counts token-id inputs one per number', () => {
      expect(estimateEmbeddingInputTokens('x'.repeat(8))).toBe(2);
      expect(estimateEmbeddingInputTokens(['x'.repeat(8), 'abc'])).toBe(3);
      expect(estimateEmbeddingInputTokens([101, 202, 303])).toBe(3);
      expect(
        estimateEmbeddingInputTokens([
          [1, 2],
          [3, 4, 5],
        ]),
      ).toBe(5);
      expect(estimateEmbeddingInputTokens([])).toBe(0);
    });
  });
});

describe('usage-estimate with the o200k tokenizer', () => {
  beforeAll(async () => {
    const { loadTokenizer } = await import('./usage-estimate.js');
    await loadTokenizer(64);
  });

  it('counts short texts with the tokenizer and past the allowance by characters', async () => {
    const estimate = await import('./usage-estimate.js');
    expect(estimate.tokenizerLoaded()).toBe(true);
    // o200k: "Hello world" is two tokens; four characters per token would say three.
    expect(estimate.estimateTextTokens('Hello world')).toBe(2);
    // 100 characters exceed the 64-character allowance: the character rule.
    expect(estimate.estimateTextTokens('x'.repeat(100))).toBe(25);
    expect(estimate.estimateDeliveredTokens(['Hello', ' world'])).toBe(2);
  });
});

describe('usage-estimate with the o200k tokenizer: special-token text', () => {
  beforeAll(async () => {
    const { loadTokenizer } = await import('./usage-estimate.js');
    await loadTokenizer(16_384);
  });

  it('counts a special token written in a prompt as the text it is, never throws', async () => {
    const estimate = await import('./usage-estimate.js');
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const text = 'Stop here <|endoftext|> and <|im_start|>system';
    const expected = countTokens(text, { disallowedSpecial: new Set() });
    // As plain text the markers are several tokens each, never the single special token.
    expect(expected).toBeGreaterThan(countTokens('Stop here  and system'));
    expect(estimate.estimateTextTokens(text)).toBe(expected);
    expect(estimate.estimatePromptTokens([{ role: 'user', content: text }])).toBe(4 + expected);
    expect(estimate.estimateEmbeddingInputTokens([text])).toBe(expected);
  });
});

describe(CountMemo.name, () => {
  const byLength = () => {
    const calls: string[] = [];
    const tokenize = (text: string) => {
      calls.push(text);
      return text.length;
    };
    return { calls, tokenize };
  };

  it('tokenizes a text once and answers the same count after', () => {
    const memo = new CountMemo(100, 1_000);
    const { calls, tokenize } = byLength();
    expect(memo.count('hello', tokenize)).toBe(5);
    expect(memo.count('hello', tokenize)).toBe(5);
    expect(memo.count('hello', () => 999)).toBe(5);
    expect(calls).toEqual(['hello']);
  });

  it('drops the least recently used texts past its bound', () => {
    const memo = new CountMemo(2, 1_000);
    const { calls, tokenize } = byLength();
    memo.count('aaaa', tokenize);
    memo.count('bbbb', tokenize);
    memo.count('aaaa', tokenize); // used again: bbbb is now the oldest
    memo.count('cccc', tokenize); // a third text: bbbb goes
    expect(memo.size).toBe(2);
    memo.count('aaaa', tokenize);
    memo.count('cccc', tokenize);
    memo.count('bbbb', tokenize);
    expect(calls).toEqual(['aaaa', 'bbbb', 'cccc', 'bbbb']);
  });

  it('keeps no text longer than its bound, and still counts it', () => {
    const memo = new CountMemo(10, 10);
    const { calls, tokenize } = byLength();
    expect(memo.count('x'.repeat(11), tokenize)).toBe(11);
    expect(memo.count('x'.repeat(11), tokenize)).toBe(11);
    expect(memo.size).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it('keeps digests, never the prompt text itself', () => {
    const memo = new CountMemo(10, 1_000);
    const prompt = 'My card is 4111 1111 1111 1111';
    memo.count(prompt, (text) => text.length);
    expect(memo.keys()).toHaveLength(1);
    expect(memo.keys().some((key) => key.includes('4111') || key.includes('card'))).toBe(false);
    expect(memo.keys()[0]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});
