import { useState } from 'preact/hooks';
import { messageOf } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { ApiKey, IssuedKey, Tenant } from '../lib/api-types';
import { when } from '../lib/format';
import { BASE } from '../lib/router';
import { API_KEY_SCOPES, type KeyForm, keyDraft, parseGrace } from '../lib/tenant-form';
import { useLoad } from '../lib/use-load';
import { describedBy, Field } from '../components/field';
import { Notice } from '../components/notice';
import { SecretOnce } from '../components/secret-once';

const EMPTY_KEY: KeyForm = {
  name: '',
  scopes: [...API_KEY_SCOPES],
  expiresAt: '',
  requestsPerMinute: '',
  tokensPerMinute: '',
};

function limits(key: ApiKey): string {
  const rpm = key.rate_limits?.requests_per_minute;
  const tpm = key.rate_limits?.tokens_per_minute;
  if (rpm == null && tpm == null) return 'defaults';
  return [rpm != null ? `${rpm} req/min` : '', tpm != null ? `${tpm} tok/min` : '']
    .filter((item) => item !== '')
    .join(', ');
}

/** One tenant and its keys: create, revoke, rotate (a new key is shown once). */
export function TenantPage({ id }: { id: string }) {
  const api = useApi();
  const path = `/v1/admin/tenants/${encodeURIComponent(id)}`;
  const tenant = useLoad(() => api.get<Tenant>(path), [id]);
  const keys = useLoad(() => api.get<{ data: ApiKey[] }>(`${path}/keys`), [id]);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [news, setNews] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [grace, setGrace] = useState('');
  const [graceError, setGraceError] = useState<string | null>(null);

  const act = async (work: () => Promise<void>) => {
    setFailure(null);
    setNews(null);
    try {
      await work();
      keys.reload();
    } catch (error) {
      setFailure(messageOf(error));
    }
  };
  const revoke = (key: ApiKey) =>
    act(async () => {
      if (!confirm(`Revoke the key "${key.name}" (${key.masked_key})? Calls with it stop at once.`))
        return;
      await api.post(`/v1/admin/keys/${encodeURIComponent(key.id)}/revoke`);
      setNews(
        `Key ${key.name} (${key.masked_key}) revoked: calls with it are refused from now on.`,
      );
    });
  const rotate = (key: ApiKey) => {
    const seconds = parseGrace(grace);
    setGraceError(seconds.error ?? null);
    if (seconds.error) return Promise.resolve();
    return act(async () => {
      const rotated = await api.post<IssuedKey>(
        `/v1/admin/keys/${encodeURIComponent(key.id)}/rotate`,
        seconds.value === undefined ? {} : { grace_seconds: seconds.value },
      );
      setSecret({ label: `New key replacing ${key.name}.`, value: rotated.key });
    });
  };

  return (
    <section aria-labelledby="tenant-title">
      <p>
        <a href={`${BASE}/tenants`}>← All tenants</a>
      </p>
      {tenant.error && <Notice kind="error">{tenant.error}</Notice>}
      {tenant.data && (
        <>
          <h1 id="tenant-title">{tenant.data.name}</h1>
          <dl class="detail">
            <dt>Id</dt>
            <dd>
              <code>{tenant.data.id}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              <span class={`badge ${tenant.data.status}`}>{tenant.data.status}</span>
            </dd>
            <dt>Region</dt>
            <dd>{tenant.data.region ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>
              {Object.entries(tenant.data.tags)
                .map(([name, value]) => `${name}=${value}`)
                .join(', ') || '—'}
            </dd>
          </dl>
        </>
      )}
      {secret && (
        <SecretOnce label={secret.label} value={secret.value} onDone={() => setSecret(null)} />
      )}
      <CreateKey
        tenantPath={path}
        onCreated={(issued) => {
          setSecret({ label: `New key "${issued.name}".`, value: issued.key });
          keys.reload();
        }}
      />
      <h2>Keys</h2>
      {news && <Notice kind="success">{news}</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      {keys.error && <Notice kind="error">{keys.error}</Notice>}
      <Field
        id="rotate-grace"
        label="Grace period for rotations, in seconds (optional)"
        error={graceError}
        hint="How long a rotated key keeps working; empty: the configured default."
      >
        <input
          id="rotate-grace"
          inputMode="numeric"
          value={grace}
          aria-invalid={!!graceError}
          aria-describedby={describedBy('rotate-grace', graceError, 'hint')}
          onInput={(event) => setGrace(event.currentTarget.value)}
        />
      </Field>
      {keys.data && keys.data.data.length === 0 && <p>This tenant has no keys yet.</p>}
      {keys.data && keys.data.data.length > 0 && (
        <div class="table-wrap">
          <table aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Scopes</th>
                <th scope="col">Limits</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <tr key={key.id} data-key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.masked_key}</code>
                  </td>
                  <td>
                    <span class={`badge ${key.status}`}>{key.status}</span>
                  </td>
                  <td>{key.scopes.join(', ')}</td>
                  <td>{limits(key)}</td>
                  <td>{when(key.expires_at)}</td>
                  <td>{when(key.last_used_at)}</td>
                  <td>
                    {key.status === 'active' && (
                      <div class="row-actions">
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Rotate ${key.name}`}
                          onClick={() => void rotate(key)}
                        >
                          Rotate
                        </button>
                        <button
                          type="button"
                          class="danger"
                          aria-label={`Revoke ${key.name}`}
                          onClick={() => void revoke(key)}
                        >
                          Revoke
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CreateKey({
  tenantPath,
  onCreated,
}: {
  tenantPath: string;
  onCreated: (key: IssuedKey) => void;
}) {
  const api = useApi();
  const [form, setForm] = useState<KeyForm>(EMPTY_KEY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const draft = keyDraft(form);
    setErrors(draft.errors);
    setFailure(null);
    if (Object.keys(draft.errors).length > 0) return;
    setBusy(true);
    try {
      onCreated(await api.post<IssuedKey>(`${tenantPath}/keys`, draft.body));
      setForm(EMPTY_KEY);
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  const text = (name: 'name' | 'requestsPerMinute' | 'tokensPerMinute', label: string) => {
    const id = `key-${name}`;
    return (
      <Field id={id} label={label} error={errors[name]}>
        <input
          id={id}
          value={form[name]}
          aria-invalid={!!errors[name]}
          aria-describedby={describedBy(id, errors[name])}
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
      aria-labelledby="new-key"
    >
      <h2 id="new-key">New API key</h2>
      <div class="form-row">
        {text('name', 'Key name')}
        <Field id="key-expires" label="Expires (optional)" error={errors.expiresAt}>
          <input
            id="key-expires"
            type="datetime-local"
            value={form.expiresAt}
            aria-invalid={!!errors.expiresAt}
            onInput={(event) => setForm({ ...form, expiresAt: event.currentTarget.value })}
          />
        </Field>
        {text('requestsPerMinute', 'Requests per minute (optional)')}
        {text('tokensPerMinute', 'Tokens per minute (optional)')}
      </div>
      <fieldset aria-describedby={errors.scopes ? 'key-scopes-error' : undefined}>
        <legend>Scopes</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope}>
            <input
              type="checkbox"
              checked={form.scopes.includes(scope)}
              onChange={(event) =>
                setForm({
                  ...form,
                  scopes: API_KEY_SCOPES.filter((item) =>
                    item === scope ? event.currentTarget.checked : form.scopes.includes(item),
                  ),
                })
              }
            />
            {scope}
          </label>
        ))}
        {errors.scopes && (
          <p class="field-error" id="key-scopes-error" role="alert">
            {errors.scopes}
          </p>
        )}
      </fieldset>
      {failure && <Notice kind="error">{failure}</Notice>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </div>
    </form>
  );
}
