import { describe, expect, it } from '@jest/globals';
import { hintFor, quote, suggest } from './key-hints.js';

const CONDITIONS = ['max_tokens', 'model', 'tools', 'provider', 'tenant_tags', 'time_of_day'];

describe('key hints', () => {
  describe(suggest.name, () => {
    it.each([
      ['modle', 'model'],
      ['mdoel', 'model'],
      ['tool', 'tools'],
      ['MaxTokens', 'max_tokens'],
      ['max-tokens', 'max_tokens'],
      ['tenant tags', 'tenant_tags'],
      ['providr', 'provider'],
    ])('%j -> %j', (word, expected) => {
      expect(suggest(word, CONDITIONS)).toBe(expected);
    });

    it('prefers the table of known mistakes, raw or normalized', () => {
      expect(suggest('condition', ['conditions', 'action'], { condition: 'conditions' })).toBe(
        'conditions',
      );
      expect(suggest('When', ['conditions'], { when: 'conditions' })).toBe('conditions');
    });

    it('suggests nothing for a word that is far from every valid one', () => {
      expect(suggest('colour', CONDITIONS)).toBeUndefined();
      expect(suggest('', CONDITIONS)).toBeUndefined();
    });

    it('gives up on a very long word rather than comparing it', () => {
      // Speed is the bench's business; what a user notices is that no far-fetched guess is made.
      expect(suggest('m'.repeat(100_000), CONDITIONS)).toBeUndefined();
      expect(suggest(`model${'l'.repeat(100_000)}`, CONDITIONS)).toBeUndefined();
    });
  });

  describe(hintFor.name, () => {
    it('says "did you mean" when it has a guess, else lists the valid words', () => {
      expect(hintFor('modle', CONDITIONS)).toBe("; did you mean 'model'?");
      expect(hintFor('colour', ['a', 'b'])).toBe('; expected one of: a, b');
    });
  });

  describe(quote.name, () => {
    it('quotes values and shortens long ones', () => {
      expect(quote('x')).toBe("'x'");
      expect(quote(3)).toBe("'3'");
      expect(quote(null)).toBe("'null'");
      expect(quote([1])).toBe("'a list'");
      expect(quote({ a: 1 })).toBe("'a mapping'");
      const long = quote('y'.repeat(5000));
      expect(long.length).toBeLessThan(120);
      expect(long).toContain('(5000 chars)');
    });
  });
});
