import { useState } from 'preact/hooks';
import { messageOf, query } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type {
  Activity,
  ActivitySums,
  ApiKey,
  Budget,
  BudgetUsage,
  Tenant,
  TenantList,
} from '../lib/api-types';
import { BUDGET_PERIODS, type BudgetForm, budgetDraft } from '../lib/budget-form';
import { count, usd, when } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { describedBy, Field } from '../components/field';
import { Notice } from '../components/notice';

const EMPTY: BudgetForm = {
  id: '',
  tenant: '',
  keyId: '',
  period: 'month',
  limitUsd: '',
  softLimitPct: '',
};

interface BudgetRow {
  budget: Budget;
  usage: BudgetUsage | null;
}

/** Budgets with their current spend, and the rate limits tenants and keys are given. */
export function BudgetsPage() {
  const api = useApi();
  const budgets = useLoad(async (): Promise<BudgetRow[]> => {
    const list = await api.get<{ data: Budget[] }>('/v1/admin/budgets');
    return Promise.all(
      list.data.map(async (budget) => ({
        budget,
        usage: budget.enabled
          ? await api
              .get<BudgetUsage>(`/v1/admin/budgets/${encodeURIComponent(budget.id)}/usage`)
              .catch(() => null)
          : null,
      })),
    );
  }, []);
  const [news, setNews] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const remove = async (budget: Budget) => {
    if (!confirm(`Delete the budget ${budget.id}?`)) return;
    setFailure(null);
    try {
      await api.delete(`/v1/admin/budgets/${encodeURIComponent(budget.id)}`);
      setNews(`Budget ${budget.id} deleted.`);
      budgets.reload();
    } catch (error) {
      setFailure(messageOf(error));
    }
  };

  return (
    <section aria-labelledby="budgets-title">
      <h1 id="budgets-title">Budgets and rate limits</h1>
      <CreateBudget
        onCreated={(budget) => {
          setNews(`Budget ${budget.id} created.`);
          budgets.reload();
        }}
      />
      {news && <Notice kind="success">{news}</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      <h2>Budgets</h2>
      {budgets.error && <Notice kind="error">{budgets.error}</Notice>}
      {budgets.data && budgets.data.length === 0 && <p>No budgets yet.</p>}
      {budgets.data && budgets.data.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Budgets">
            <thead>
              <tr>
                <th scope="col">Budget</th>
                <th scope="col">Applies to</th>
                <th scope="col">Period</th>
                <th scope="col" class="num">
                  Limit
                </th>
                <th scope="col">Used this period</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {budgets.data.map(({ budget, usage }) => (
                <tr key={budget.id} data-budget={budget.id}>
                  <td>
                    <code>{budget.id}</code>
                    {!budget.enabled && ' (disabled)'}
                  </td>
                  <td>
                    {budget.tenant}
                    {budget.key_id ? ` / key ${budget.key_id}` : ''}
                  </td>
                  <td>{budget.period}</td>
                  <td class="num">{usd(budget.limit_usd)}</td>
                  <td>
                    {usage ? (
                      <Utilisation
                        label={`${budget.id} spend`}
                        used={usage.spent_usd + usage.reserved_usd}
                        limit={usage.limit_usd}
                        soft={budget.soft_limit_pct}
                        text={`${usd(usage.spent_usd)} of ${usd(usage.limit_usd)} (${usage.utilization_pct.toFixed(1)}%), until ${when(usage.period_end)}`}
                      />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {budget.read_only ? (
                      `from the ${budget.source}`
                    ) : (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Delete budget ${budget.id}`}
                        onClick={() => void remove(budget)}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RateLimits />
    </section>
  );
}

function Utilisation({
  label,
  used,
  limit,
  soft,
  text,
}: {
  label: string;
  used: number;
  limit: number;
  soft: number;
  text: string;
}) {
  return (
    <div>
      <meter
        aria-label={label}
        min={0}
        max={limit > 0 ? limit : 1}
        low={(limit * soft) / 100}
        high={(limit * soft) / 100}
        optimum={0}
        value={Math.min(used, limit > 0 ? limit : 1)}
      />
      <div class="hint">{text}</div>
    </div>
  );
}

function CreateBudget({ onCreated }: { onCreated: (budget: Budget) => void }) {
  const api = useApi();
  const [form, setForm] = useState<BudgetForm>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const draft = budgetDraft(form);
    setErrors(draft.errors);
    setFailure(null);
    if (Object.keys(draft.errors).length > 0) return;
    try {
      onCreated(await api.post<Budget>('/v1/admin/budgets', draft.body));
      setForm(EMPTY);
    } catch (error) {
      setFailure(messageOf(error));
    }
  };
  const input = (name: Exclude<keyof BudgetForm, 'period'>, label: string, hint?: string) => {
    const id = `budget-${name}`;
    return (
      <Field id={id} label={label} error={errors[name]} hint={hint}>
        <input
          id={id}
          value={form[name]}
          aria-invalid={!!errors[name]}
          aria-describedby={describedBy(id, errors[name], hint)}
          onInput={(event) => setForm({ ...form, [name]: event.currentTarget.value })}
        />
      </Field>
    );
  };
  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-budget"
    >
      <h2 id="new-budget">New budget</h2>
      <div class="form-row">
        {input('tenant', 'Tenant')}
        {input('keyId', 'Key id (optional)', 'Empty: the whole tenant.')}
        <Field id="budget-period" label="Period">
          <select
            id="budget-period"
            value={form.period}
            onChange={(event) =>
              setForm({ ...form, period: event.currentTarget.value as BudgetForm['period'] })
            }
          >
            {BUDGET_PERIODS.map((period) => (
              <option value={period} key={period}>
                {period}
              </option>
            ))}
          </select>
        </Field>
        {input('limitUsd', 'Limit (USD)')}
        {input('softLimitPct', 'Warn at % (optional)')}
        {input('id', 'Id (optional)')}
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      <div class="actions">
        <button type="submit">Create budget</button>
      </div>
    </form>
  );
}

interface LimitRow {
  scope: string;
  requests: number | null | undefined;
  tokens: number | null | undefined;
  used: ActivitySums | undefined;
}

/**
 * The per-minute limits set on tenants (first 100) and their keys, each with the calls and
 * tokens of the last 60 seconds (from the audit trail) against it; everything else runs on the
 * configured defaults.
 */
function RateLimits() {
  const api = useApi();
  const rows = useLoad(async (): Promise<LimitRow[]> => {
    const to = Date.now();
    const [tenants, recent] = await Promise.all([
      api.get<TenantList>('/v1/admin/tenants?limit=100'),
      api.get<Activity>(
        `/v1/admin/activity${query({
          from: new Date(to - 60_000).toISOString(),
          to: new Date(to).toISOString(),
          bucket: 'minute',
          top: 1000,
        })}`,
      ),
    ]);
    const byTenant = new Map(recent.top_tenants.map((row) => [row.name, row]));
    const byKey = new Map(recent.top_keys.map((row) => [row.name, row]));
    const out: LimitRow[] = [];
    await Promise.all(
      tenants.data.map(async (tenant: Tenant) => {
        const limits = tenant.settings.rate_limits;
        if (limits && (limits.requests_per_minute != null || limits.tokens_per_minute != null))
          out.push({
            scope: `tenant ${tenant.id}`,
            requests: limits.requests_per_minute,
            tokens: limits.tokens_per_minute,
            used: byTenant.get(tenant.id),
          });
        const keys = await api.get<{ data: ApiKey[] }>(
          `/v1/admin/tenants/${encodeURIComponent(tenant.id)}/keys`,
        );
        for (const key of keys.data) {
          if (key.status !== 'active' || !key.rate_limits) continue;
          out.push({
            scope: `key ${key.name} (${key.masked_key}) of ${tenant.id}`,
            requests: key.rate_limits.requests_per_minute,
            tokens: key.rate_limits.tokens_per_minute,
            used: byKey.get(key.id),
          });
        }
      }),
    );
    return out.sort((a, b) => a.scope.localeCompare(b.scope));
  }, []);
  return (
    <>
      <h2>Rate limits</h2>
      <p class="hint">
        Limits set on tenants and keys, with the last 60 seconds of calls against them (read from
        the audit trail: the limiter's own bucket may differ by a burst). Every other tenant and key
        has the configured defaults.
      </p>
      {rows.error && <Notice kind="error">{rows.error}</Notice>}
      {rows.data && rows.data.length === 0 && <p>No tenant or key has limits of its own.</p>}
      {rows.data && rows.data.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Rate limits">
            <thead>
              <tr>
                <th scope="col">Applies to</th>
                <th scope="col">Requests per minute</th>
                <th scope="col">Tokens per minute</th>
              </tr>
            </thead>
            <tbody>
              {rows.data.map((row) => (
                <tr key={row.scope} data-scope={row.scope}>
                  <td>{row.scope}</td>
                  <td>
                    <LimitCell
                      label={`${row.scope}: requests in the last minute`}
                      limit={row.requests}
                      used={row.used?.requests ?? 0}
                    />
                  </td>
                  <td>
                    <LimitCell
                      label={`${row.scope}: tokens in the last minute`}
                      limit={row.tokens}
                      used={(row.used?.input_tokens ?? 0) + (row.used?.output_tokens ?? 0)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function LimitCell({
  label,
  limit,
  used,
}: {
  label: string;
  limit: number | null | undefined;
  used: number;
}) {
  if (limit == null) return <span>default</span>;
  return (
    <Utilisation
      label={label}
      used={used}
      limit={limit}
      soft={80}
      text={`${count(used)} of ${count(limit)} in the last minute`}
    />
  );
}
