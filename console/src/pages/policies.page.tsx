import { useState } from 'preact/hooks';
import { ApiError, messageOf } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { DryRun, Policy } from '../lib/api-types';
import { placeDslError } from '../lib/dsl-errors';
import {
  parseSampleRequest,
  type PolicyForm,
  policyBody,
  policyFormErrors,
} from '../lib/policy-form';
import { useLoad } from '../lib/use-load';
import { DslEditor, type EditorError } from '../components/dsl-editor';
import { describedBy, Field } from '../components/field';
import { Notice } from '../components/notice';

const NEW_POLICY: PolicyForm = {
  id: '',
  tenant: '',
  status: 'ACTIVE',
  dsl: "rules:\n  - id: no-preview-models\n    conditions:\n      model: { denylist: ['*-preview'] }\n    action: DENY\n    deny_message: 'Preview models are not allowed.'\n",
};

const SAMPLE = JSON.stringify(
  { model: 'mock/gpt-4o-preview', messages: [{ role: 'user', content: 'Hello' }] },
  null,
  2,
);

/** Policies: the list, an editor with compile errors at their line, and a dry-run. */
export function PoliciesPage() {
  const api = useApi();
  const list = useLoad(() => api.get<{ data: Policy[] }>('/v1/admin/policies'), []);
  const [selected, setSelected] = useState<Policy | null>(null);
  const [form, setForm] = useState<PolicyForm>(NEW_POLICY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [dslError, setDslError] = useState<EditorError | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [news, setNews] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const creating = selected === null;
  const readOnly = selected?.read_only ?? false;

  const open = (policy: Policy | null) => {
    setSelected(policy);
    setForm(
      policy
        ? { id: policy.id, tenant: policy.tenant ?? '', status: policy.status, dsl: policy.dsl }
        : NEW_POLICY,
    );
    setErrors({});
    setDslError(null);
    setFailure(null);
    setNews(null);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const found = policyFormErrors(form, creating);
    setErrors(found);
    setDslError(found.dsl ? { line: null, path: '', message: found.dsl } : null);
    setFailure(null);
    setNews(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body = policyBody(form, creating);
      const saved = creating
        ? await api.post<Policy>('/v1/admin/policies', body)
        : await api.put<Policy>(`/v1/admin/policies/${encodeURIComponent(form.id)}`, body);
      setSelected(saved);
      setForm({ id: saved.id, tenant: saved.tenant ?? '', status: saved.status, dsl: saved.dsl });
      setNews(
        `Policy ${saved.id} saved (${saved.status}); every replica enforces it within seconds.`,
      );
      list.reload();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'policy_invalid') {
        const place = placeDslError(form.dsl, error.param);
        setDslError({ ...place, message: error.message });
      } else if (
        error instanceof ApiError &&
        error.param &&
        ['id', 'tenant', 'status'].includes(error.param)
      ) {
        setErrors({ [error.param]: error.message });
      } else {
        setFailure(messageOf(error));
      }
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!selected || !confirm(`Delete the policy ${selected.id}?`)) return;
    try {
      await api.delete(`/v1/admin/policies/${encodeURIComponent(selected.id)}`);
      open(null);
      setNews(`Policy ${selected.id} deleted.`);
      list.reload();
    } catch (error) {
      setFailure(messageOf(error));
    }
  };

  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Policies</h1>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {list.data && list.data.data.length > 0 && (
        <div class="table-wrap">
          <table aria-label="Policies">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Tenant</th>
                <th scope="col">Status</th>
                <th scope="col">Source</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((policy) => (
                <tr key={policy.id} class={selected?.id === policy.id ? 'selected' : undefined}>
                  <td>
                    <code>{policy.id}</code>
                  </td>
                  <td>{policy.tenant ?? 'all tenants'}</td>
                  <td>{policy.status}</td>
                  <td>
                    {policy.source}
                    {policy.read_only ? ' (read-only)' : ''}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${policy.read_only ? 'View' : 'Edit'} ${policy.id}`}
                      onClick={() => open(policy)}
                    >
                      {policy.read_only ? 'View' : 'Edit'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && list.data.data.length === 0 && <p>No policies yet.</p>}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => open(null)}>
          New policy
        </button>
      </div>

      <form
        class="form"
        noValidate
        onSubmit={(event) => void save(event)}
        aria-labelledby="policy-form-title"
      >
        <h2 id="policy-form-title">
          {creating ? 'New policy' : `${readOnly ? 'Policy' : 'Edit policy'} ${selected.id}`}
        </h2>
        {readOnly && (
          <Notice kind="info">
            This policy comes from the {selected?.source} and is read-only here.
          </Notice>
        )}
        <div class="form-row">
          {creating && (
            <Field
              id="policy-id"
              label="Id (optional)"
              error={errors.id}
              hint="Generated when empty."
            >
              <input
                id="policy-id"
                value={form.id}
                aria-invalid={!!errors.id}
                aria-describedby={describedBy('policy-id', errors.id, 'hint')}
                onInput={(event) => setForm({ ...form, id: event.currentTarget.value })}
              />
            </Field>
          )}
          <Field id="policy-tenant" label="Tenant (empty: every tenant)" error={errors.tenant}>
            <input
              id="policy-tenant"
              value={form.tenant}
              readOnly={readOnly}
              aria-invalid={!!errors.tenant}
              aria-describedby={describedBy('policy-tenant', errors.tenant)}
              onInput={(event) => setForm({ ...form, tenant: event.currentTarget.value })}
            />
          </Field>
          <Field id="policy-status" label="Status" error={errors.status}>
            <select
              id="policy-status"
              value={form.status}
              disabled={readOnly}
              onChange={(event) =>
                setForm({ ...form, status: event.currentTarget.value as PolicyForm['status'] })
              }
            >
              <option value="ACTIVE">ACTIVE (enforced)</option>
              <option value="SHADOW">SHADOW (recorded, not enforced)</option>
              <option value="DRAFT">DRAFT (stored only)</option>
            </select>
          </Field>
        </div>
        <DslEditor
          id="policy-dsl"
          label="Policy DSL (YAML)"
          value={form.dsl}
          readOnly={readOnly}
          error={dslError}
          onChange={(dsl) => {
            setForm({ ...form, dsl });
          }}
        />
        {failure && <Notice kind="error">{failure}</Notice>}
        {news && <Notice kind="success">{news}</Notice>}
        {!readOnly && (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {creating ? 'Create policy' : 'Save policy'}
            </button>
            {!creating && (
              <button type="button" class="danger" onClick={() => void remove()}>
                Delete policy
              </button>
            )}
          </div>
        )}
      </form>
      <DryRunPanel draft={form.dsl} />
    </section>
  );
}

function DryRunPanel({ draft }: { draft: string }) {
  const api = useApi();
  const [sample, setSample] = useState(SAMPLE);
  const [tenant, setTenant] = useState('');
  const [useDraft, setUseDraft] = useState(false);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [result, setResult] = useState<DryRun | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async (event: Event) => {
    event.preventDefault();
    const parsed = parseSampleRequest(sample);
    setSampleError(parsed.error ?? null);
    setFailure(null);
    setResult(null);
    if (!parsed.request) return;
    try {
      setResult(
        await api.post<DryRun>('/v1/admin/policies/dry-run', {
          request: parsed.request,
          ...(tenant.trim() !== '' ? { tenant: tenant.trim() } : {}),
          ...(useDraft ? { dsl: draft } : {}),
        }),
      );
    } catch (error) {
      setFailure(messageOf(error));
    }
  };

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => void run(event)}
      aria-labelledby="dry-run-title"
    >
      <h2 id="dry-run-title">Dry-run</h2>
      <p class="hint">
        What the policies would decide for a sample request; no provider is called.
      </p>
      <Field id="dry-run-request" label="Sample request (JSON)" error={sampleError}>
        <textarea
          id="dry-run-request"
          class="code"
          rows={8}
          spellcheck={false}
          value={sample}
          aria-invalid={!!sampleError}
          aria-describedby={describedBy('dry-run-request', sampleError)}
          onInput={(event) => setSample(event.currentTarget.value)}
        />
      </Field>
      <div class="form-row">
        <Field id="dry-run-tenant" label="As tenant (optional)">
          <input
            id="dry-run-tenant"
            value={tenant}
            onInput={(event) => setTenant(event.currentTarget.value)}
          />
        </Field>
        <div>
          <label>
            <input
              type="checkbox"
              checked={useDraft}
              onChange={(event) => setUseDraft(event.currentTarget.checked)}
            />{' '}
            Evaluate the editor's DSL instead of the policies in force
          </label>
        </div>
      </div>
      <div class="actions">
        <button type="submit">Run dry-run</button>
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      {result && (
        <div class="notice" role="status" data-testid="dry-run-result">
          <p>
            Decision: <strong>{result.decision}</strong>
            {result.message ? ` — ${result.message}` : ''}
          </p>
          {result.matched.length > 0 && (
            <ul>
              {result.matched.map((match) => (
                <li key={`${match.policy_id}/${match.rule_id}`}>
                  {match.action}: rule <code>{match.rule_id}</code> of policy{' '}
                  <code>{match.policy_id}</code>
                </li>
              ))}
            </ul>
          )}
          {result.warnings.length > 0 && <p>Warnings: {result.warnings.join('; ')}</p>}
          {result.route_to && (
            <p>
              Routed to {result.route_to.provider} / {result.route_to.model}
            </p>
          )}
        </div>
      )}
    </form>
  );
}
