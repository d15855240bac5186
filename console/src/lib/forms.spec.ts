import { auditFilterErrors, auditListPath, EMPTY_AUDIT_FILTER } from './audit-filter.js';
import { budgetDraft } from './budget-form.js';
import { parseSampleRequest, policyFormErrors } from './policy-form.js';
import { spendFileName, spendFormErrors, spendPath } from './spend-query.js';
import { keyDraft, parseGrace, parseTags, tenantDraft } from './tenant-form.js';

describe('console forms', () => {
  it('builds the spend report path with an exclusive end and CSV format', () => {
    const form = {
      from: '2026-12-01',
      to: '2026-12-07',
      groups: ['tenant', 'day'] as const,
      tenant: '',
    };
    expect(spendFormErrors(form)).toEqual({});
    expect(spendPath(form, 'csv')).toBe(
      '/v1/admin/spend?from=2026-12-01&to=2026-12-08&group_by=tenant%2Cday&format=csv',
    );
    expect(spendPath({ ...form, groups: [], tenant: 'acme' }, 'json')).toBe(
      '/v1/admin/spend?from=2026-12-01&to=2026-12-08&tenant=acme',
    );
    expect(spendFileName(form)).toBe('spend-2026-12-01-to-2026-12-07-by-tenant-day.csv');
  });

  it('refuses spend ranges the API would refuse', () => {
    const form = { from: '2026-12-07', to: '2026-12-01', groups: [], tenant: 'Bad!' };
    expect(spendFormErrors(form)).toEqual({
      to: 'The end date is before the start date.',
      tenant: 'A tenant id is lowercase letters, digits and dashes.',
    });
    expect(spendFormErrors({ ...form, from: '2024-01-01', to: '2026-01-01', tenant: '' })).toEqual({
      from: 'A report covers at most 400 days.',
    });
    expect(spendFormErrors({ ...form, from: '', tenant: '' }).from).toBeDefined();
  });

  it('reads tenant forms, tags and limits', () => {
    expect(parseTags('team=search, tier = free\nx=')).toEqual({
      tags: { team: 'search', tier: 'free', x: '' },
    });
    expect(parseTags('novalue').error).toMatch(/name=value/);
    expect(parseTags('bad key=1').error).toMatch(/may use/);
    const ok = tenantDraft({
      id: 'acme',
      name: ' Acme ',
      region: 'eu',
      tags: 'team=a',
      requestsPerMinute: '60',
      tokensPerMinute: '',
    });
    expect(ok).toEqual({
      errors: {},
      body: {
        id: 'acme',
        name: 'Acme',
        region: 'eu',
        tags: { team: 'a' },
        settings: { rate_limits: { requests_per_minute: 60 } },
      },
    });
    const bad = tenantDraft({
      id: 'Acme!',
      name: '',
      region: 'EU',
      tags: '',
      requestsPerMinute: '0',
      tokensPerMinute: '1.5',
    });
    expect(Object.keys(bad.errors).sort()).toEqual([
      'id',
      'name',
      'region',
      'requestsPerMinute',
      'tokensPerMinute',
    ]);
  });

  it('reads key forms and grace periods', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    expect(
      keyDraft(
        {
          name: 'ci',
          scopes: ['models:read'],
          expiresAt: '2027-01-01T00:00',
          requestsPerMinute: '',
          tokensPerMinute: '100',
        },
        now,
      ).body,
    ).toEqual({
      name: 'ci',
      scopes: ['models:read'],
      expires_at: new Date(Date.parse('2027-01-01T00:00')).toISOString(),
      rate_limits: { tokens_per_minute: 100 },
    });
    const bad = keyDraft(
      {
        name: 'x'.repeat(101),
        scopes: [],
        expiresAt: '2020-01-01T00:00',
        requestsPerMinute: 'x',
        tokensPerMinute: '',
      },
      now,
    );
    expect(Object.keys(bad.errors).sort()).toEqual([
      'expiresAt',
      'name',
      'requestsPerMinute',
      'scopes',
    ]);
    expect(parseGrace('')).toEqual({});
    expect(parseGrace('30')).toEqual({ value: 30 });
    expect(parseGrace('-1').error).toBeDefined();
  });

  it('checks policies, sample requests, budgets and audit filters', () => {
    expect(
      policyFormErrors({ id: 'bad id', tenant: '', status: 'ACTIVE', dsl: ' ' }, true),
    ).toEqual({
      id: expect.any(String),
      dsl: 'The policy needs a DSL with at least one rule.',
    });
    expect(parseSampleRequest('{"model": "m"}')).toEqual({ request: { model: 'm' } });
    expect(parseSampleRequest('[1]').error).toMatch(/JSON object/);
    expect(parseSampleRequest('{}').error).toMatch(/model/);
    expect(parseSampleRequest('{').error).toMatch(/^Not valid JSON/);
    expect(
      budgetDraft({
        id: '',
        tenant: 'acme',
        keyId: '',
        period: 'day',
        limitUsd: '10',
        softLimitPct: '',
      }),
    ).toEqual({ errors: {}, body: { tenant: 'acme', period: 'day', limit_usd: 10 } });
    expect(
      Object.keys(
        budgetDraft({
          id: '',
          tenant: '',
          keyId: 'k k',
          period: 'day',
          limitUsd: '-1',
          softLimitPct: '101',
        }).errors,
      ).sort(),
    ).toEqual(['keyId', 'limitUsd', 'softLimitPct', 'tenant']);
    const filter = {
      ...EMPTY_AUDIT_FILTER,
      tenant: 'acme',
      eventType: 'ADMIN_CHANGE',
      from: '2026-12-01T10:00',
    };
    expect(auditFilterErrors(filter)).toEqual({});
    expect(auditListPath(filter, 25, 'abc')).toBe(
      '/v1/admin/audit?tenant=acme&event_type=ADMIN_CHANGE&from=2026-12-01T10%3A00%3A00.000Z&limit=25&cursor=abc',
    );
    expect(auditFilterErrors({ ...filter, to: '2026-12-01T09:00' }).to).toBeDefined();
  });
});
