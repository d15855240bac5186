import type { ReasoningEffort } from './llm-provider.types.js';

/**
 * `reasoning_effort` as a thinking budget in tokens, for the vendors whose reasoning is a token
 * budget (Anthropic's and Bedrock Claude's `thinking.budget_tokens`, Gemini 2.5's
 * `thinkingBudget`). One table so every vendor reads an effort the same way:
 *
 * | effort          | budget |
 * | --------------- | ------ |
 * | none, minimal   | off    |
 * | low             | 2,048  |
 * | medium          | 8,192  |
 * | high            | 16,384 |
 * | xhigh           | 32,768 |
 *
 * `minimal` is "as little reasoning as the model allows": thinking off where a vendor can turn it
 * off (Anthropic's smallest budget, 1,024 tokens, is more than OpenAI's minimal spends).
 */
export const THINKING_BUDGETS: Readonly<
  Record<Exclude<ReasoningEffort, 'none' | 'minimal'>, number>
> = {
  low: 2_048,
  medium: 8_192,
  high: 16_384,
  xhigh: 32_768,
};

/** The budget for `effort`, or `undefined` when thinking is to be off. */
export function thinkingBudget(effort: ReasoningEffort): number | undefined {
  return effort === 'none' || effort === 'minimal' ? undefined : THINKING_BUDGETS[effort];
}
