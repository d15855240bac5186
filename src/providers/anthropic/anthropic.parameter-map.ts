import { MAPPED } from '../field-map.js';
import type { FieldMap } from '../llm-provider.types.js';

/** Claude models from before extended thinking (Claude 3.7 Sonnet was the first to think). */
const WITHOUT_THINKING = /claude-(instant|2|3-(?!7))/;

/**
 * Anthropic's parameter map (contract 4.2): `reasoning_effort` becomes extended thinking on the
 * models that have it, `safety_identifier` becomes `metadata.user_id`. Everything else of the
 * list (n, logprobs, service tiers, audio, ...) has no Messages API counterpart and is refused.
 */
export function anthropicFields(model: string): FieldMap {
  return WITHOUT_THINKING.test(model)
    ? { safety_identifier: MAPPED }
    : { reasoning_effort: MAPPED, safety_identifier: MAPPED };
}
