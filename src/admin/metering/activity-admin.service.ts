import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { searchAll } from '../../governance/audit/audit-store.source.js';
import { AuditTrail } from '../../governance/audit/audit-trail.service.js';
import type { AuditRecord } from '../../governance/audit/audit.types.js';
import { isoMicros } from '../../governance/audit/audit.writer.js';
import { AuditRepository } from '../../storage/audit.repository.js';
import { type ActivityBucket, type ActivityQuery, DEFAULT_TOP } from '../dto/activity.query.js';
import {
  type ActivityCall,
  ActivityAggregator,
  type ActivityPoint,
  type ActivityRanking,
  type ActivitySums,
  bucketMs,
  MAX_BUCKETS,
} from './activity.aggregator.js';

/** The most calls one answer reads; past it the answer says `truncated` (newest calls first). */
export const MAX_ACTIVITY_CALLS = 200_000;
const DAY_MS = 86_400_000;

export interface ActivityView {
  readonly object: 'activity';
  readonly from: string;
  readonly to: string;
  readonly bucket: ActivityBucket;
  /** True when the range held more calls than one answer reads: the oldest are left out. */
  readonly truncated: boolean;
  readonly series: ActivityPoint[];
  readonly total: ActivitySums;
  readonly top_tenants: ActivityRanking[];
  readonly top_models: ActivityRanking[];
  readonly top_keys: ActivityRanking[];
}

/**
 * Calls over time for the console's overview: every `/v1` call, refusals included, from its
 * `GATEWAY_RESPONSE` audit event (status, tokens, cost). Read on demand from the audit store, so
 * the request path does no extra work for it.
 */
@Injectable()
export class ActivityAdminService {
  constructor(
    private readonly store: AuditRepository,
    private readonly trail: AuditTrail,
  ) {}

  /** @throws GatewayError `validation_error` for a range that is empty, reversed or too fine */
  async activity(query: ActivityQuery, now: number = Date.now()): Promise<ActivityView> {
    const bucket = query.bucket ?? 'hour';
    const to = query.to === undefined ? now : Date.parse(query.to);
    const from = query.from === undefined ? to - DAY_MS : Date.parse(query.from);
    if (to <= from) throw invalid('to', 'to must be later than from.');
    if ((to - from) / bucketMs(bucket) > MAX_BUCKETS) {
      throw invalid(
        'bucket',
        `The range holds more than ${MAX_BUCKETS} ${bucket}s: choose a larger bucket or a shorter range.`,
      );
    }
    // Events still queued in this replica are written first, so the answer includes them.
    await this.trail.flush();
    const aggregator = new ActivityAggregator(from, to, bucket);
    let read = 0;
    let truncated = false;
    const records = searchAll(this.store, {
      eventType: 'GATEWAY_RESPONSE',
      tenant: query.tenant,
      from: isoMicros(from * 1000),
      to: isoMicros(to * 1000),
    });
    for await (const record of records) {
      if (read >= MAX_ACTIVITY_CALLS) {
        truncated = true;
        break;
      }
      read += 1;
      aggregator.add(callOf(record));
    }
    return {
      object: 'activity',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      bucket,
      truncated,
      ...aggregator.result(query.top ?? DEFAULT_TOP),
    };
  }
}

function callOf(record: AuditRecord): ActivityCall {
  const payload = record.payload;
  return {
    at: Date.parse(record.timestamp),
    tenant: record.tenant,
    keyId: record.key_id,
    model: text(payload.model),
    status: number(payload.status),
    inputTokens: number(payload.input_tokens),
    outputTokens: number(payload.output_tokens),
    costUsd: number(payload.cost_usd),
  };
}

function number(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.ValidationError, message, { param });
}
