import { cataloguePrice } from './price-catalogue.js';

// The catalogue package is loaded on the first lookup (not at start-up): these lookups go through
// that load, then through the loaded package.
describe('cataloguePrice', () => {
  it('prices a catalogued model of a mapped provider, in USD per million tokens', () => {
    const found = cataloguePrice('openai', 'gpt-4o-mini', new Date('2026-01-01T00:00:00Z'));
    expect(found).toBeDefined();
    expect(found!.model).toContain('gpt-4o-mini');
    expect(typeof found!.price.input).toBe('number');
    expect(typeof found!.price.output).toBe('number');
    expect(found!.price.output).toBeGreaterThan(found!.price.input as number);
    // The second lookup uses the package already loaded, with the same answer.
    expect(cataloguePrice('openai', 'gpt-4o-mini', new Date('2026-01-01T00:00:00Z'))).toEqual(
      found,
    );
  });

  it('has no price for a provider outside the catalogue or a model it does not know', () => {
    expect(cataloguePrice('ollama', 'llama3')).toBeUndefined();
    expect(cataloguePrice('openai', 'no-such-model-anywhere-42')).toBeUndefined();
  });
});
