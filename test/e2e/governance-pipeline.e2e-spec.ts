import { setTimeout as sleep } from 'node:timers/promises';
import type { CallObserver } from '../../src/governance/pipeline/call-settlement.service.js';
import { CallSettlement } from '../../src/governance/pipeline/call-settlement.service.js';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../src/governance/pipeline/governance-context.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';

interface Settled {
  readonly context: GovernanceContext;
  readonly outcome: CallOutcome;
}

/**
 * The governance pipeline's spine (contract 8), end to end: every /v1 call, whatever stage
 * refuses it, reaches settlement exactly once with what the stages learned, and the stages run in
 * the contract's order (the first refusal wins).
 */
describe('governance pipeline', () => {
  let gw: GatewayUnderTest;
  let key: string;
  let modelsOnlyKey: string;
  const settled: Settled[] = [];
  const chat = () => `${gw.url}/v1/chat/completions`;
  const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'Hello' }] };
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  /** The settlements of calls carrying this trace id (waits briefly for the response close). */
  async function settlementsOf(traceId: string, count = 1): Promise<Settled[]> {
    for (let i = 0; i < 100; i++) {
      const found = settled.filter((s) => s.context.traceId === traceId);
      if (found.length >= count) return found;
      await sleep(10);
    }
    return settled.filter((s) => s.context.traceId === traceId);
  }

  beforeAll(async () => {
    gw = await startGateway({
      env: { MOCK_PROVIDER_ENABLED: 'true', GATEWAY_AUTH_REQUIRED: 'true' },
      yaml: `
gateway:
  auth: { required: true }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 30, response: "one two three four five six" }
  policies:
    - id: house-rules
      dsl: |
        rules:
          - id: no-forbidden
            conditions:
              model: { denylist: ["mock/forbidden*"] }
            deny_message: "That model is off limits."
`,
    });
    const observer: CallObserver = {
      callSettled: (context, outcome) => void settled.push({ context, outcome }),
    };
    gw.app.get(CallSettlement).observe(observer);
    key = await issueKey(gw, { tenant: 'acme' });
    modelsOnlyKey = await issueKey(gw, { tenant: 'acme', scopes: ['models:read'] });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('settles an answered call once, with its tenant, key, facts and answering target', async () => {
    const res = await postJson(
      chat(),
      { ...hello, max_tokens: 50 },
      {
        ...bearer(key),
        'x-trace-id': 'settle-ok',
      },
    );
    expect(res.status).toBe(200);
    const [one, ...more] = await settlementsOf('settle-ok');
    expect(more).toEqual([]);
    expect(one.outcome).toMatchObject({ status: 200, clientGone: false });
    expect(one.outcome.error).toBeUndefined();
    expect(one.context).toMatchObject({
      kind: 'chat',
      method: 'POST',
      path: '/v1/chat/completions',
      keyId: expect.stringMatching(/^key_/),
      facts: { model: 'mock/echo', maxTokens: 50, stream: false },
      answeredBy: { provider: 'mock', model: 'mock/echo' },
    });
    expect(one.context.tenantId).toBe('acme');
    expect(one.context.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('settles a stream at its last byte, and a stream the client left as cut short', async () => {
    const res = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key), 'x-trace-id': 'settle-sse' },
      body: JSON.stringify({ ...hello, stream: true }),
    });
    await readSse(res);
    const [done] = await settlementsOf('settle-sse');
    expect(done.outcome).toMatchObject({ status: 200, clientGone: false });
    expect(done.context.facts?.stream).toBe(true);

    const controller = new AbortController();
    const cut = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key), 'x-trace-id': 'settle-cut' },
      body: JSON.stringify({ ...hello, stream: true }),
      signal: controller.signal,
    });
    const reader = cut.body!.getReader();
    await reader.read();
    controller.abort();
    const [gone, ...again] = await settlementsOf('settle-cut');
    expect(again).toEqual([]);
    expect(gone.outcome.clientGone).toBe(true);
  });

  it.each([
    ['no key', {}, hello, 401, 'api_key_required'],
    ['a wrong key', bearer('gw_' + '0'.repeat(40)), hello, 401, 'invalid_api_key'],
    ['a key without the scope', 'models-only', hello, 403, 'api_key_scope'],
    ['an invalid body', 'key', { model: 'mock/echo', messages: 'hi' }, 400, 'validation_error'],
    ['a policy denial', 'key', { ...hello, model: 'mock/forbidden-1' }, 403, 'policy_denied'],
    ['no provider', 'key', { ...hello, model: 'unknown-model' }, 400, 'no_provider'],
  ])(
    'settles a call refused for %s, once, with the refusal',
    async (label, auth, body, status, code) => {
      const headers =
        auth === 'key' ? bearer(key) : auth === 'models-only' ? bearer(modelsOnlyKey) : auth;
      const traceId = `settle-${label.replace(/\W+/g, '-')}`;
      const res = await postJson(chat(), body, {
        ...(headers as Record<string, string>),
        'x-trace-id': traceId,
      });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      const [one, ...more] = await settlementsOf(traceId);
      expect(more).toEqual([]);
      expect(one.outcome.status).toBe(status);
      expect(one.outcome.error?.code).toBe(code);
    },
  );

  it('settles refusals that happen before any guard: a non-canonical path and an unknown /v1 path', async () => {
    const bad = await fetch(`${gw.url}/v1//chat/completions`, {
      method: 'POST',
      headers: { 'x-trace-id': 'settle-path', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${gw.url}/v1/nothing-here`, {
      headers: { 'x-trace-id': 'settle-404' },
    });
    expect(unknown.status).toBe(404);
    expect((await settlementsOf('settle-path'))[0].outcome.error?.code).toBe('invalid_path');
    expect((await settlementsOf('settle-404'))[0].outcome.error?.code).toBe('resource_not_found');
  });

  it('does not settle admin, health or metrics calls: they are not data-plane calls', async () => {
    await fetch(`${gw.url}/v1/admin/tenants`, { headers: { 'x-trace-id': 'settle-admin' } });
    await fetch(`${gw.url}/health/live`, { headers: { 'x-trace-id': 'settle-health' } });
    await sleep(100);
    expect(settled.filter((s) => s.context.traceId.startsWith('settle-admin'))).toEqual([]);
    expect(settled.filter((s) => s.context.traceId === 'settle-health')).toEqual([]);
  });

  it('runs the stages in order: authentication before validation, validation before policy', async () => {
    // An invalid body with no key: authentication refuses first.
    const keyless = await postJson(chat(), { model: 'mock/forbidden-1', messages: 'x' });
    expect(keyless.body.error.code).toBe('api_key_required');
    // A body that is invalid and names a denied model: validation refuses first.
    const invalid = await postJson(
      chat(),
      { model: 'mock/forbidden-1', messages: 'x' },
      bearer(key),
    );
    expect(invalid.body.error.code).toBe('validation_error');
    // A denied model that no provider serves: the policy refuses before routing is asked.
    const denied = await postJson(chat(), { ...hello, model: 'mock/forbidden-x' }, bearer(key));
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      type: 'policy_violation',
      code: 'policy_denied',
      message: 'That model is off limits.',
      param: null,
    });
  });

  it('governs GET /v1/models with the same authentication stage', async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: { 'x-trace-id': 'settle-models' } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${gw.url}/v1/models`, { headers: bearer(modelsOnlyKey) });
    expect(ok.status).toBe(200);
    expect((await settlementsOf('settle-models'))[0].outcome.error?.code).toBe('api_key_required');
  });
});
