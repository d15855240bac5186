import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { METERING_CLOCK } from '../../governance/metering/budgets/budget.stage.js';
import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import { UsageRecorder } from '../../governance/metering/usage/usage-recorder.service.js';
import {
  type SpendGroup,
  type SpendSums,
  UsageRepository,
} from '../../storage/usage.repository.js';
import type { SpendQueryDto } from '../dto/spend.query.js';

/** The longest range one report may cover. */
const MAX_RANGE_MS = 400 * 86_400_000;

/** Group keys as the report names them (contract 11.2). */
const COLUMN: Record<SpendGroup, string> = {
  tenant: 'tenant',
  key: 'key_id',
  model: 'model',
  provider: 'provider',
  tag: 'tag',
  day: 'day',
};

const MEASURES = [
  'requests',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cost_usd',
  'estimated_requests',
  'unpriced_requests',
] as const;

export type SpendRowView = Record<string, string | number>;

export interface SpendReportView {
  readonly object: 'spend_report';
  readonly from: string;
  readonly to: string;
  readonly group_by: SpendGroup[];
  readonly data: SpendRowView[];
  readonly total: SpendRowView;
}

/**
 * Spend reports (contract 11.2) for the admin API and the CLI: sums over the usage records,
 * grouped and filtered, as JSON or CSV. What this replica has settled but not yet written is
 * written first, so a report made here includes every call this replica settled.
 */
@Injectable()
export class SpendAdminService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly recorder: UsageRecorder,
    @Inject(METERING_CLOCK) private readonly now: () => number = Date.now,
  ) {}

  /** @throws GatewayError `validation_error` for a range that is empty, reversed or too long */
  async report(query: SpendQueryDto): Promise<SpendReportView> {
    const now = this.now();
    const from = query.from === undefined ? monthStart(now) : parseTime(query.from, 'from');
    const to = query.to === undefined ? now + 1 : parseTime(query.to, 'to');
    if (to <= from) throw invalid('to', 'to must be later than from.');
    if (to - from > MAX_RANGE_MS) throw invalid('from', 'A report covers at most 400 days.');
    const groupBy = groups(query.group_by);
    await this.recorder.flush();
    const report = await this.usage.report({
      from,
      to,
      tenantId: query.tenant,
      keyId: query.key_id,
      groupBy,
    });
    return {
      object: 'spend_report',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      group_by: groupBy,
      data: report.rows.map((row) => ({
        ...Object.fromEntries(groupBy.map((g) => [COLUMN[g], row.keys[g] ?? ''])),
        ...sums(row),
      })),
      total: sums(report.total),
    };
  }

  /** CSV: a header row, then one line per row, no total line (contract 11.2). */
  toCsv(report: SpendReportView): string {
    const columns = [...report.group_by.map((g) => COLUMN[g]), ...MEASURES];
    const lines = [columns.join(',')];
    for (const row of report.data) lines.push(columns.map((c) => csvCell(row[c])).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }
}

function sums(s: SpendSums): SpendRowView {
  return {
    requests: s.requests,
    input_tokens: s.inputTokens,
    output_tokens: s.outputTokens,
    cached_input_tokens: s.cachedInputTokens,
    cost_usd: nanoToUsd(s.costNano),
    estimated_requests: s.estimatedRequests,
    unpriced_requests: s.unpricedRequests,
  };
}

function groups(text: string | undefined): SpendGroup[] {
  if (text === undefined || text === '') return [];
  return [...new Set(text.split(','))] as SpendGroup[];
}

function parseTime(text: string, param: string): number {
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw invalid(param, `${param} is not a valid date.`);
  return ms;
}

function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; formula starts defused. */
function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.ValidationError, message, { param });
}
