import { catalogueTierSample } from './cost.calculator.fixtures.js';
import { costNano, formatUsd, nanoToUsd, rateFor, usdToNano } from './cost.calculator.js';
import type { Price } from './price.types.js';

describe('cost.calculator', () => {
  const flat: Price = { input: 2.5, output: 10, cachedInput: 1.25, cacheWrite: 3.75 };

  it('prices uncached input, cached input, cache writes and output at their own rates', () => {
    // 1,000 prompt tokens of which 200 cached and 100 written; 500 output (reasoning included).
    const nano = costNano(
      { inputTokens: 1000, cachedInputTokens: 200, cacheWriteTokens: 100, outputTokens: 500 },
      flat,
    );
    const usd = (700 * 2.5 + 200 * 1.25 + 100 * 3.75 + 500 * 10) / 1e6;
    expect(nanoToUsd(nano)).toBeCloseTo(usd, 12);
    expect(nano).toBe(7_375_000);
  });

  it('charges cached and written tokens at the input rate when the price has none for them', () => {
    const price: Price = { input: 1, output: 2 };
    expect(
      costNano(
        { inputTokens: 1000, cachedInputTokens: 400, cacheWriteTokens: 100, outputTokens: 0 },
        price,
      ),
    ).toBe(costNano({ inputTokens: 1000, outputTokens: 0 }, price));
  });

  it('counts reasoning tokens as output: they are part of completion_tokens', () => {
    const withReasoning = costNano({ inputTokens: 0, outputTokens: 1000 }, flat);
    expect(withReasoning).toBe(10_000_000);
  });

  it('clamps nonsense usage instead of producing negative or inflated costs', () => {
    expect(costNano({ inputTokens: -5, outputTokens: -1 }, flat)).toBe(0);
    // More cached than prompt tokens: all of the prompt at the cached rate, none twice.
    expect(costNano({ inputTokens: 100, cachedInputTokens: 1000, outputTokens: 0 }, flat)).toBe(
      100 * 1.25 * 1000,
    );
  });

  it('applies the tier the prompt size reaches to all tokens of a kind (long-context pricing)', () => {
    const tiered: Price = catalogueTierSample();
    expect(rateFor(tiered.input, 200_000)).toBe(1.25);
    expect(rateFor(tiered.input, 200_001)).toBe(2.5);
    const small = costNano({ inputTokens: 100_000, outputTokens: 1000 }, tiered);
    expect(small).toBe(Math.round((100_000 * 1.25 + 1000 * 10) * 1000));
    const large = costNano(
      { inputTokens: 300_000, cachedInputTokens: 100_000, outputTokens: 1000 },
      tiered,
    );
    expect(large).toBe(Math.round((200_000 * 2.5 + 100_000 * 0.25 + 1000 * 15) * 1000));
  });

  it('formats nano-USD exactly, without trailing zeros', () => {
    expect(formatUsd(0)).toBe('0');
    expect(formatUsd(420_000)).toBe('0.00042');
    expect(formatUsd(2_500_000_000)).toBe('2.5');
    expect(formatUsd(1)).toBe('0.000000001');
    expect(usdToNano(0.1 + 0.2)).toBe(300_000_000);
  });
});
