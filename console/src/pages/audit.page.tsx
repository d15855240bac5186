import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { messageOf } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { AuditPage as AuditPageData, AuditRecord, AuditVerify } from '../lib/api-types';
import {
  AUDIT_EVENT_TYPES,
  type AuditFilterForm,
  auditFilterErrors,
  auditListPath,
  EMPTY_AUDIT_FILTER,
} from '../lib/audit-filter';
import { count } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { describedBy, Field } from '../components/field';
import { Notice } from '../components/notice';

const PAGE = 25;

/** The audit trail: filters, pages (newest first), one event's detail, chain verification. */
export function AuditPage() {
  const api = useApi();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [applied, setApplied] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [open, setOpen] = useState<AuditRecord | null>(null);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () => api.get<AuditPageData>(auditListPath(applied, PAGE, cursor)),
    [applied, cursor],
  );

  const apply = (event: Event) => {
    event.preventDefault();
    const found = auditFilterErrors(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setApplied({ ...form });
    setCursors([undefined]);
    setOpen(null);
  };
  const input = (name: 'tenant' | 'traceId', label: string) => {
    const id = `audit-${name}`;
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
  const time = (name: 'from' | 'to', label: string) => {
    const id = `audit-${name}`;
    return (
      <Field id={id} label={label} error={errors[name]}>
        <input
          id={id}
          type="datetime-local"
          step={1}
          value={form[name]}
          aria-invalid={!!errors[name]}
          aria-describedby={describedBy(id, errors[name])}
          onInput={(event) => setForm({ ...form, [name]: event.currentTarget.value })}
        />
      </Field>
    );
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <VerifyChain />
      <form class="form" noValidate onSubmit={apply} aria-labelledby="audit-filter-title">
        <h2 id="audit-filter-title">Filter</h2>
        <div class="form-row">
          {input('tenant', 'Tenant')}
          <Field id="audit-type" label="Event type">
            <select
              id="audit-type"
              value={form.eventType}
              onChange={(event) => setForm({ ...form, eventType: event.currentTarget.value })}
            >
              <option value="">Any</option>
              {AUDIT_EVENT_TYPES.map((type) => (
                <option value={type} key={type}>
                  {type}
                </option>
              ))}
            </select>
          </Field>
          {input('traceId', 'Trace id')}
          {time('from', 'From (UTC, inclusive)')}
          {time('to', 'To (UTC, exclusive)')}
        </div>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setForm(EMPTY_AUDIT_FILTER);
              setErrors({});
              setApplied(EMPTY_AUDIT_FILTER);
              setCursors([undefined]);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {page.error && <Notice kind="error">{page.error}</Notice>}
      {page.data && (
        <>
          <div class="table-wrap">
            <table aria-label="Audit events">
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Event</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trace id</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {page.data.data.map((record) => (
                  <tr
                    key={record.event_id}
                    class={open?.event_id === record.event_id ? 'selected' : undefined}
                    data-event-type={record.event_type}
                  >
                    <td>{record.timestamp.replace('T', ' ').slice(0, 23)}</td>
                    <td>{record.event_type}</td>
                    <td>{record.tenant ?? '—'}</td>
                    <td>
                      {typeof record.payload.status === 'number' ? record.payload.status : '—'}
                    </td>
                    <td>
                      <code>
                        {typeof record.payload.trace_id === 'string'
                          ? record.payload.trace_id
                          : '—'}
                      </code>
                    </td>
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Open event ${record.writer} #${record.seq}`}
                        onClick={() => setOpen(record)}
                      >
                        Open
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.data.data.length === 0 && <p>No events match these filters.</p>}
          <div class="actions">
            <button
              type="button"
              class="secondary"
              disabled={cursors.length <= 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Newer
            </button>
            <button
              type="button"
              class="secondary"
              disabled={page.data.next_cursor === null}
              onClick={() => setCursors([...cursors, page.data?.next_cursor ?? undefined])}
            >
              Older
            </button>
          </div>
        </>
      )}
      {open && <EventDetail record={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function EventDetail({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const fields: Array<[string, string]> = [
    ['Event', record.event_type],
    ['Time', record.timestamp],
    ['Writer', record.writer],
    ['Seq', String(record.seq)],
    ['Event id', record.event_id],
    ['Tenant', record.tenant ?? '—'],
    ['Key', record.key_id ?? '—'],
    ['Previous hash', record.prev_hash ?? '—'],
    ['Hash', record.hash],
    ['HMAC', record.hmac],
  ];
  return (
    <section class="form" aria-labelledby="event-title" data-testid="audit-detail">
      <h2 id="event-title">
        Event {record.writer} #{record.seq}
      </h2>
      <dl class="detail">
        {fields.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      <h3>Payload</h3>
      <pre>{JSON.stringify(record.payload, null, 2)}</pre>
      <button type="button" class="secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

function VerifyChain() {
  const api = useApi();
  const [result, setResult] = useState<AuditVerify | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setResult(await api.post<AuditVerify>('/v1/admin/audit/verify'));
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <div class="actions">
        <button type="button" onClick={() => void verify()} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      {result && (
        <div
          class={`notice ${result.valid ? 'success' : 'error'}`}
          role="status"
          data-testid="verify-result"
        >
          <p>
            <strong>{result.valid ? 'Chain intact.' : 'Chain broken.'}</strong>{' '}
            {count(result.checked)} events checked across {result.writers.length} writer
            {result.writers.length === 1 ? '' : 's'}
            {result.hmac_checked ? ', HMACs checked' : ', HMACs not checked (no secret)'}
            {result.signatures_checked ? `, ${result.checkpoints} signed checkpoints checked` : ''}.
          </p>
          {result.first_break && (
            <p>
              First break: writer {result.first_break.writer ?? '—'}, seq{' '}
              {result.first_break.seq ?? '—'}: {result.first_break.reason} (
              {result.first_break.detail})
            </p>
          )}
        </div>
      )}
    </div>
  );
}
