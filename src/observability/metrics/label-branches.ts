import type { MetricLabel } from '../../config/metrics.schema.js';
import type { LabelLimiter } from './label-limiter.js';

/**
 * One level of a tree of series: the children of a node by the value one label reports, each made
 * once. A value seen before costs one map look-up and no bounding (the limiter would return it
 * unchanged: a value it has kept stays exact, and one it folded stays folded); any other value is
 * bounded by the limiter, as `GatewayMetrics.labels` would, and leads to the child of its bounded
 * value. Only bounded values are keys, so a label's values past its cap (a caller's model names)
 * are never kept: the level holds at most the cap plus `other`.
 */
export class LabelBranches<T> {
  private readonly children = new Map<string, T>();

  constructor(
    private readonly limiter: LabelLimiter,
    private readonly label: MetricLabel,
    private readonly create: (value: string) => T,
  ) {}

  get(value: string): T {
    const seen = this.children.get(value);
    if (seen !== undefined) return seen;
    const bounded = this.limiter.value(this.label, value);
    let child = this.children.get(bounded);
    if (child === undefined) this.children.set(bounded, (child = this.create(bounded)));
    return child;
  }
}
