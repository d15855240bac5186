export const AUDIT_EVENT_TYPES = [
  'GATEWAY_RESPONSE',
  'POLICY_DENIED',
  'POLICY_WARNED',
  'POLICY_ROUTED',
  'POLICY_SHADOW',
  'PII_DETECTED',
  'PII_REDACTED',
  'PII_TOKENIZED',
  'PII_BLOCKED',
  'PII_OUTPUT_LEAK',
  'BUDGET_CAP_WARNING',
  'BUDGET_CAP_HARD',
  'RATE_LIMITED',
  'ADMIN_CHANGE',
  'AUDIT_OVERFLOW',
] as const;

export interface AuditFilterForm {
  tenant: string;
  eventType: string;
  traceId: string;
  /** `datetime-local` values, read as UTC. */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = {
  tenant: '',
  eventType: '',
  traceId: '',
  from: '',
  to: '',
};

/** A `datetime-local` value read as UTC (the console shows every time in UTC). */
function utc(value: string): number {
  return Date.parse(/Z$/.test(value) ? value : `${value}Z`);
}

export function auditFilterErrors(form: AuditFilterForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (form.tenant.length > 200) errors.tenant = 'At most 200 characters.';
  if (form.traceId.length > 200) errors.traceId = 'At most 200 characters.';
  if (form.from !== '' && Number.isNaN(utc(form.from))) errors.from = 'Not a date and time.';
  if (form.to !== '' && Number.isNaN(utc(form.to))) errors.to = 'Not a date and time.';
  if (
    !errors.from &&
    !errors.to &&
    form.from !== '' &&
    form.to !== '' &&
    utc(form.to) <= utc(form.from)
  )
    errors.to = 'The end is not after the start.';
  return errors;
}

export function auditListPath(form: AuditFilterForm, limit: number, cursor?: string): string {
  const params = new URLSearchParams();
  if (form.tenant.trim() !== '') params.set('tenant', form.tenant.trim());
  if (form.eventType !== '') params.set('event_type', form.eventType);
  if (form.traceId.trim() !== '') params.set('trace_id', form.traceId.trim());
  if (form.from !== '') params.set('from', new Date(utc(form.from)).toISOString());
  if (form.to !== '') params.set('to', new Date(utc(form.to)).toISOString());
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return `/v1/admin/audit?${params.toString()}`;
}
