import type { MetricLabel } from '../../config/metrics.schema.js';

/** The value a label takes once it has seen its cap of distinct values. */
export const OVERFLOW_LABEL_VALUE = 'other';

/**
 * Bounds the cardinality of every label (contract 14): each label keeps the first `cap` distinct
 * values it sees, across all metrics (a tenant folded into `other` is `other` everywhere), and
 * reports any later value as `other`. Values already seen stay exact for the life of the process.
 */
export class LabelLimiter {
  private readonly seen = new Map<MetricLabel, Set<string>>();

  constructor(
    private readonly defaultCap: number,
    private readonly caps: Partial<Record<MetricLabel, number>> = {},
  ) {}

  /** `value` as the label may report it: itself, or `other` past the label's cap. */
  value(label: MetricLabel, value: string): string {
    let values = this.seen.get(label);
    if (values === undefined) this.seen.set(label, (values = new Set()));
    if (values.has(value)) return value;
    if (values.size >= (this.caps[label] ?? this.defaultCap)) return OVERFLOW_LABEL_VALUE;
    values.add(value);
    return value;
  }

  /** Every value of `labels` bounded, as a new object. */
  bound<L extends MetricLabel>(labels: Readonly<Record<L, string>>): Record<L, string> {
    const out = {} as Record<L, string>;
    for (const label of Object.keys(labels) as L[]) out[label] = this.value(label, labels[label]);
    return out;
  }
}
