/** What a spend report can be grouped by (contract 11.2), in the API's names. */
export const SPEND_GROUPS = ['tenant', 'key', 'model', 'provider', 'tag', 'day'] as const;
export type SpendGroup = (typeof SPEND_GROUPS)[number];

export interface SpendForm {
  from: string;
  to: string;
  groups: readonly SpendGroup[];
  tenant: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Field errors of the form, checked before anything is sent; empty when it may be sent. */
export function spendFormErrors(form: SpendForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!DATE.test(form.from) || Number.isNaN(Date.parse(form.from)))
    errors.from = 'Enter a start date (YYYY-MM-DD).';
  if (!DATE.test(form.to) || Number.isNaN(Date.parse(form.to)))
    errors.to = 'Enter an end date (YYYY-MM-DD).';
  if (!errors.from && !errors.to) {
    const span = Date.parse(form.to) - Date.parse(form.from);
    if (span < 0) errors.to = 'The end date is before the start date.';
    else if (span > 399 * 86_400_000) errors.from = 'A report covers at most 400 days.';
  }
  if (form.tenant !== '' && !TENANT.test(form.tenant))
    errors.tenant = 'A tenant id is lowercase letters, digits and dashes.';
  return errors;
}

/**
 * The admin API path of the report. `to` is the day after the end date: the form's dates are
 * inclusive, the API's `to` is exclusive.
 */
export function spendPath(form: SpendForm, format: 'json' | 'csv'): string {
  const params = new URLSearchParams();
  params.set('from', form.from);
  params.set('to', nextDay(form.to));
  if (form.groups.length > 0) params.set('group_by', form.groups.join(','));
  if (form.tenant !== '') params.set('tenant', form.tenant);
  if (format === 'csv') params.set('format', 'csv');
  return `/v1/admin/spend?${params.toString()}`;
}

/** A file name that says what the CSV holds. */
export function spendFileName(form: SpendForm): string {
  const groups = form.groups.length > 0 ? `-by-${form.groups.join('-')}` : '';
  return `spend-${form.from}-to-${form.to}${groups}.csv`;
}

function nextDay(date: string): string {
  return new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);
}
