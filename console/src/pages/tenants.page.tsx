import { useState } from 'preact/hooks';
import { messageOf, query } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { Tenant, TenantList } from '../lib/api-types';
import { BASE } from '../lib/router';
import { type TenantForm, tenantDraft } from '../lib/tenant-form';
import { useLoad } from '../lib/use-load';
import { describedBy, Field } from '../components/field';
import { Notice } from '../components/notice';

const EMPTY: TenantForm = {
  id: '',
  name: '',
  region: '',
  tags: '',
  requestsPerMinute: '',
  tokensPerMinute: '',
};

/** Tenants, a page at a time: create, suspend, activate; each opens its keys. */
export function TenantsPage() {
  const api = useApi();
  const [pages, setPages] = useState<Array<string | undefined>>([undefined]);
  const after = pages[pages.length - 1];
  const list = useLoad(
    () => api.get<TenantList>(`/v1/admin/tenants${query({ limit: 20, after })}`),
    [after],
  );
  const [news, setNews] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const setStatus = async (tenant: Tenant, action: 'suspend' | 'activate') => {
    setFailure(null);
    try {
      await api.post(`/v1/admin/tenants/${encodeURIComponent(tenant.id)}/${action}`);
      setNews(`${tenant.name} is ${action === 'suspend' ? 'suspended' : 'active'}.`);
      list.reload();
    } catch (error) {
      setFailure(messageOf(error));
    }
  };

  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants and keys</h1>
      <CreateTenant
        onCreated={(tenant) => {
          setNews(`Tenant ${tenant.name} (${tenant.id}) created.`);
          list.reload();
        }}
      />
      {news && <Notice kind="success">{news}</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {list.data && (
        <>
          <div class="table-wrap">
            <table aria-label="Tenants">
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col">Id</th>
                  <th scope="col">Status</th>
                  <th scope="col">Region</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((tenant) => (
                  <tr key={tenant.id} data-tenant={tenant.id}>
                    <td>
                      <a href={`${BASE}/tenants/${encodeURIComponent(tenant.id)}`}>{tenant.name}</a>
                    </td>
                    <td>
                      <code>{tenant.id}</code>
                    </td>
                    <td>
                      <span class={`badge ${tenant.status}`}>{tenant.status}</span>
                    </td>
                    <td>{tenant.region ?? '—'}</td>
                    <td>
                      {Object.entries(tenant.tags)
                        .map(([name, value]) => `${name}=${value}`)
                        .join(', ') || '—'}
                    </td>
                    <td>
                      <div class="row-actions">
                        <a
                          class="button secondary"
                          href={`${BASE}/tenants/${encodeURIComponent(tenant.id)}`}
                        >
                          Keys
                        </a>
                        {tenant.status === 'active' ? (
                          <button
                            type="button"
                            class="danger"
                            aria-label={`Suspend ${tenant.name}`}
                            onClick={() => void setStatus(tenant, 'suspend')}
                          >
                            Suspend
                          </button>
                        ) : (
                          <button
                            type="button"
                            aria-label={`Activate ${tenant.name}`}
                            onClick={() => void setStatus(tenant, 'activate')}
                          >
                            Activate
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.data.data.length === 0 && <p>No tenants yet.</p>}
          <div class="actions">
            <button
              type="button"
              class="secondary"
              disabled={pages.length <= 1}
              onClick={() => setPages(pages.slice(0, -1))}
            >
              Previous page
            </button>
            <button
              type="button"
              class="secondary"
              disabled={!list.data.has_more}
              onClick={() => setPages([...pages, list.data?.last_id ?? undefined])}
            >
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function CreateTenant({ onCreated }: { onCreated: (tenant: Tenant) => void }) {
  const api = useApi();
  const [form, setForm] = useState<TenantForm>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof TenantForm) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    const draft = tenantDraft(form);
    setErrors(draft.errors);
    setFailure(null);
    if (Object.keys(draft.errors).length > 0) return;
    setBusy(true);
    try {
      onCreated(await api.post<Tenant>('/v1/admin/tenants', draft.body));
      setForm(EMPTY);
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  const input = (name: keyof TenantForm, label: string, hint?: string) => {
    const id = `tenant-${name}`;
    return (
      <Field id={id} label={label} error={errors[name]} hint={hint}>
        <input
          id={id}
          value={form[name]}
          aria-invalid={!!errors[name]}
          aria-describedby={describedBy(id, errors[name], hint)}
          onInput={set(name)}
        />
      </Field>
    );
  };

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-tenant"
    >
      <h2 id="new-tenant">New tenant</h2>
      <div class="form-row">
        {input('name', 'Name')}
        {input('id', 'Id (optional)', 'Generated when empty.')}
        {input('region', 'Region (optional)', 'e.g. eu')}
        {input('tags', 'Tags (optional)', 'name=value, comma-separated')}
        {input('requestsPerMinute', 'Requests per minute (optional)')}
        {input('tokensPerMinute', 'Tokens per minute (optional)')}
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create tenant
        </button>
      </div>
    </form>
  );
}
