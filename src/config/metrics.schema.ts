import { z } from 'zod';
import { bool, int, str } from './schema-fields.js';

/** Every label the gateway's metrics carry (contract 14): the keys `label-limits` may name. */
export const METRIC_LABELS = [
  'tenant',
  'provider',
  'model',
  'status',
  'code',
  'direction',
  'scope',
  'resource',
  'budget',
  'decision',
  'policy',
  'rule',
  'type',
  'action',
  'from',
  'to',
] as const;

export type MetricLabel = (typeof METRIC_LABELS)[number];

/** The most distinct values one label may take before new ones fold into `other`. */
const labelCap = () => int(1, 100_000);

/**
 * `gateway.metrics` (contract 14): Prometheus `GET <path>` on the gateway's own port. Label values
 * are bounded: past `max-label-values` distinct values of a label (or that label's own entry in
 * `label-limits`), new values are reported as `other`.
 */
export const metricsSchema = z
  .strictObject({
    enabled: bool().default(true),
    path: str()
      .pipe(
        z.string().regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, {
          message: 'must be an absolute path such as /metrics',
        }),
      )
      .refine((path) => !/^\/(v1|health)(\/|$)/.test(path), {
        message: 'must not be under /v1 or /health',
      })
      .default('/metrics'),
    // Empty: /metrics is open (bind it to a private network); set: `Authorization: Bearer` required.
    'bearer-token': str().default(''),
    'max-label-values': labelCap().default(200),
    // Per-label caps over max-label-values, e.g. {tenant: 1000, model: 100}.
    'label-limits': z.partialRecord(z.enum(METRIC_LABELS), labelCap()).default({}),
  })
  .prefault({});
