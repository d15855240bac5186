import { useState } from 'preact/hooks';
import { messageOf } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { SpendReport } from '../lib/api-types';
import { saveText } from '../lib/download';
import { count, day, usd } from '../lib/format';
import {
  SPEND_GROUPS,
  type SpendForm,
  spendFileName,
  spendFormErrors,
  type SpendGroup,
  spendPath,
} from '../lib/spend-query';
import { Field } from '../components/field';
import { Notice } from '../components/notice';

const MEASURES = [
  ['requests', 'Requests'],
  ['input_tokens', 'Input tokens'],
  ['output_tokens', 'Output tokens'],
  ['cost_usd', 'Cost'],
] as const;

const COLUMN: Record<SpendGroup, string> = {
  tenant: 'tenant',
  key: 'key_id',
  model: 'model',
  provider: 'provider',
  tag: 'tag',
  day: 'day',
};

function monthStart(): string {
  const now = new Date();
  return day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
}

/** Spend reports by tenant, key, model, provider, tag and day, with a CSV download. */
export function SpendPage() {
  const api = useApi();
  const [form, setForm] = useState<SpendForm>({
    from: monthStart(),
    to: day(new Date()),
    groups: ['tenant', 'model'],
    tenant: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [report, setReport] = useState<SpendReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (format: 'json' | 'csv') => {
    const found = spendFormErrors(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      if (format === 'csv') {
        saveText(await api.text(spendPath(form, 'csv')), spendFileName(form), 'text/csv');
      } else {
        setReport(await api.get<SpendReport>(spendPath(form, 'json')));
      }
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (group: SpendGroup, on: boolean) =>
    setForm({
      ...form,
      groups: SPEND_GROUPS.filter((item) => (item === group ? on : form.groups.includes(item))),
    });

  return (
    <section aria-labelledby="spend-title">
      <h1 id="spend-title">Spend</h1>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void run('json');
        }}
      >
        <div class="form-row">
          <Field id="spend-from" label="From (inclusive)" error={errors.from}>
            <input
              id="spend-from"
              type="date"
              value={form.from}
              aria-invalid={!!errors.from}
              onInput={(event) => setForm({ ...form, from: event.currentTarget.value })}
            />
          </Field>
          <Field id="spend-to" label="To (inclusive)" error={errors.to}>
            <input
              id="spend-to"
              type="date"
              value={form.to}
              aria-invalid={!!errors.to}
              onInput={(event) => setForm({ ...form, to: event.currentTarget.value })}
            />
          </Field>
          <Field id="spend-tenant" label="Tenant (optional)" error={errors.tenant}>
            <input
              id="spend-tenant"
              value={form.tenant}
              aria-invalid={!!errors.tenant}
              onInput={(event) => setForm({ ...form, tenant: event.currentTarget.value.trim() })}
            />
          </Field>
        </div>
        <fieldset>
          <legend>Group by</legend>
          {SPEND_GROUPS.map((group) => (
            <label key={group}>
              <input
                type="checkbox"
                checked={form.groups.includes(group)}
                onChange={(event) => toggle(group, event.currentTarget.checked)}
              />
              {group}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Show report
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => void run('csv')}>
            Download CSV
          </button>
        </div>
      </form>
      {failure && <Notice kind="error">{failure}</Notice>}
      {report && <ReportTable report={report} />}
    </section>
  );
}

function ReportTable({ report }: { report: SpendReport }) {
  const groups = report.group_by as SpendGroup[];
  return (
    <div>
      <h2>
        {report.data.length} row{report.data.length === 1 ? '' : 's'},{' '}
        {count(Number(report.total.requests))} requests, {usd(Number(report.total.cost_usd))}
      </h2>
      <div class="table-wrap">
        <table aria-label="Spend report">
          <thead>
            <tr>
              {groups.map((group) => (
                <th scope="col" key={group}>
                  {group}
                </th>
              ))}
              {MEASURES.map(([name, label]) => (
                <th scope="col" class="num" key={name}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.data.map((row, index) => (
              <tr key={index}>
                {groups.map((group) => (
                  <td key={group}>{String(row[COLUMN[group]] ?? '') || '—'}</td>
                ))}
                {MEASURES.map(([name]) => (
                  <td class="num" key={name}>
                    {name === 'cost_usd' ? usd(Number(row[name])) : count(Number(row[name]))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
