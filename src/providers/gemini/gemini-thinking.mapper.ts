import { MAPPED } from '../field-map.js';
import type { FieldMap, ReasoningEffort } from '../llm-provider.types.js';
import { THINKING_BUDGETS, thinkingBudget } from '../reasoning-budget.js';

/**
 * `reasoning_effort` as Gemini's `generationConfig.thinkingConfig` (Gemini API thinking guide):
 * Gemini 3 models take a `thinkingLevel`, Gemini 2.5 models a `thinkingBudget` in tokens from the
 * shared table, clamped to the model's range. Thoughts are not asked for (`includeThoughts`
 * stays unset), and thought parts that come anyway are left out of the answer by the response
 * mapper; `thoughtsTokenCount` is reported as reasoning tokens.
 *
 * | effort        | Gemini 3 Pro | Gemini 3 Flash | 2.5 Pro | 2.5 Flash / Flash-Lite |
 * | ------------- | ------------ | -------------- | ------- | ---------------------- |
 * | none, minimal | low          | minimal        | 128     | 0 (off)                |
 * | low           | low          | low            | 2,048   | 2,048                  |
 * | medium        | high         | medium         | 8,192   | 8,192                  |
 * | high          | high         | high           | 16,384  | 16,384                 |
 * | xhigh         | high         | high           | 32,768  | 24,576                 |
 *
 * Gemini 3 and 2.5 Pro cannot turn thinking off: their least is used for `none` and `minimal`.
 */

type Json = Record<string, unknown>;

const GEMINI_3 = /^gemini-3/;
const GEMINI_25 = /^gemini-2\.5/;
/** Gemini 3 Flash-class models have four levels; Pro has two. */
const FOUR_LEVELS = /^gemini-3(\.\d+)?-flash/;

/**
 * Gemini's parameter map: `reasoning_effort` on the models that think (2.5 and 3); `n` as
 * `candidateCount` on JSON answers (a stream's candidates would interleave in one reader).
 */
export function geminiFields(model: string): FieldMap {
  const n = { n: { how: 'mapped', stream: false } } as const;
  return GEMINI_3.test(model) || GEMINI_25.test(model) ? { reasoning_effort: MAPPED, ...n } : n;
}

/** The `thinkingConfig` for `effort` on `model`; undefined for a model that does not think. */
export function toThinkingConfig(model: string, effort: ReasoningEffort): Json | undefined {
  if (GEMINI_3.test(model)) return { thinkingLevel: thinkingLevel(model, effort) };
  if (!GEMINI_25.test(model)) return undefined;
  const pro = model.startsWith('gemini-2.5-pro');
  const budget = thinkingBudget(effort);
  if (budget === undefined) return { thinkingBudget: pro ? 128 : 0 };
  return { thinkingBudget: Math.min(budget, pro ? THINKING_BUDGETS.xhigh : 24_576) };
}

function thinkingLevel(model: string, effort: ReasoningEffort): string {
  if (!FOUR_LEVELS.test(model)) {
    return effort === 'medium' || effort === 'high' || effort === 'xhigh' ? 'high' : 'low';
  }
  switch (effort) {
    case 'none':
    case 'minimal':
      return 'minimal';
    case 'low':
    case 'medium':
      return effort;
    case 'high':
    case 'xhigh':
      return 'high';
  }
}
