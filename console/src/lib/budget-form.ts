const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BUDGET_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;

export interface BudgetForm {
  id: string;
  tenant: string;
  keyId: string;
  period: (typeof BUDGET_PERIODS)[number];
  limitUsd: string;
  softLimitPct: string;
}

export function budgetDraft(form: BudgetForm): {
  body: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = { period: form.period };
  if (form.id.trim() !== '') {
    if (BUDGET_ID.test(form.id.trim())) body.id = form.id.trim();
    else errors.id = 'Letters, digits and . _ : - (at most 128).';
  }
  if (!TENANT.test(form.tenant.trim())) errors.tenant = 'The tenant id the budget applies to.';
  else body.tenant = form.tenant.trim();
  if (form.keyId.trim() !== '') {
    if (KEY_ID.test(form.keyId.trim())) body.key_id = form.keyId.trim();
    else errors.keyId = 'An API key id, e.g. key_3f2a9c1b7d4e.';
  }
  const limit = Number(form.limitUsd);
  if (form.limitUsd.trim() === '' || !Number.isFinite(limit) || limit < 0)
    errors.limitUsd = 'A limit in USD, 0 or more.';
  else body.limit_usd = limit;
  if (form.softLimitPct.trim() !== '') {
    const pct = Number(form.softLimitPct);
    if (!Number.isFinite(pct) || pct < 0 || pct > 100)
      errors.softLimitPct = 'A percentage from 0 to 100.';
    else body.soft_limit_pct = pct;
  }
  return { body, errors };
}
