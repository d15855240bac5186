import { MISTRAL_DIALECT } from '../fakes/dialects/mistral.dialect.js';
import { FakeOpenAiCompatibleServer } from '../fakes/fake-openai-compatible.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  postJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';
import { ApiKeyService } from '../../src/governance/auth/api-key.service.js';
import { TenantRepository } from '../../src/storage/tenant.repository.js';

const POLICIES = `
  policies:
    - id: global
      dsl: |
        version: "1"
        rules:
          - id: no-turbo
            priority: 10
            conditions:
              model: { denylist: ["gpt-4-turbo*"] }
            deny_message: "gpt-4-turbo is retired here; use gpt-4o."
          - id: big-output
            conditions:
              max_tokens: { limit: 1000 }
            action: warn_agent
            warn_message: "max_tokens above 1000 costs more"
          - id: no-shell
            conditions:
              tools: { denylist: [shell_exec] }
            deny_message: "The shell_exec tool is not allowed."
          - id: eu-stays-in-eu
            priority: 5
            conditions:
              data_residency: { tenant_region: eu, allowed_providers: [mistral] }
            action: ROUTE
            route_to: { provider: mistral, model: mistral-large-latest }
          - id: apac-locked
            priority: 5
            conditions:
              data_residency: { tenant_region: apac, allowed_providers: [mistral] }
            deny_message: "APAC data may not leave the region's providers."
    - id: search-team
      tenant: search
      dsl: |
        rules:
          - id: always-remind
            conditions:
              tenant_tags: { team: search }
            action: WARN_AGENT
            warn_message: "search team: log your experiments"
          - id: never
            conditions:
              time_of_day: { outside: ["00:00", "24:00"], timezone: Europe/Paris }
    - id: no-openai
      tenant: mistral-only
      dsl: |
        rules:
          - id: openai-off
            conditions:
              provider: { denylist: [openai] }
            deny_message: "openai is off for this tenant"
    - id: no-mistral
      tenant: openai-only
      dsl: |
        rules:
          - id: mistral-off
            conditions:
              provider: { denylist: [mistral] }
    - id: nothing
      tenant: locked
      dsl: |
        rules:
          - id: openai-off
            conditions:
              provider: { denylist: [openai] }
            deny_message: "first denial: openai"
          - id: mistral-off
            conditions:
              provider: { denylist: [mistral] }
            deny_message: "second denial: mistral"
    - id: would-deny
      tenant: shadowed
      status: SHADOW
      dsl: |
        rules:
          - id: deny-all-models
            conditions:
              model: { allowlist: ["nothing-matches"] }
`;

/**
 * Policies end to end (contract 10): every decision kind through the real app, the per-target
 * re-check in routing (a denied primary skipped, a denied fallback never called), data residency
 * (DENY, and ROUTE to a second upstream), SHADOW never enforced, embeddings governed alike, and
 * a policy written through the admin API enforced on the next call.
 */
describe('policies: enforcement', () => {
  const openai = new FakeOpenAiServer();
  const mistral = new FakeOpenAiCompatibleServer(MISTRAL_DIALECT);
  let gw: GatewayUnderTest;
  const keys: Record<string, string> = {};
  const chat = (tenant: string, body: object) =>
    postJson(`${gw.url}/v1/chat/completions`, body, { authorization: `Bearer ${keys[tenant]}` });
  const hello = (model = 'gpt-4o') => ({ model, messages: [{ role: 'user', content: 'Hi' }] });

  beforeAll(async () => {
    await openai.start();
    await mistral.start();
    gw = await startGateway({
      singleAttempt: true,
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        MISTRAL_API_KEY: mistral.apiKey,
        MISTRAL_BASE_URL: mistral.baseUrl,
        GATEWAY_ADMIN_TOKEN: TOKEN,
      },
      yaml: `
gateway:
  routes:
    - model: smart
      providers:
        - { provider: openai, model: gpt-4o }
      fallbacks:
        - { provider: mistral, model: mistral-small-latest }
${POLICIES}`,
    });
    const tenants = gw.app.get(TenantRepository);
    const issuer = gw.app.get(ApiKeyService);
    const make: [string, string | null, Record<string, string>][] = [
      ['plain', 'us', {}],
      ['eu-corp', 'eu', {}],
      ['apac-corp', 'apac', {}],
      ['search', 'us', { team: 'search' }],
      ['mistral-only', null, {}],
      ['openai-only', null, {}],
      ['locked', null, {}],
      ['shadowed', null, {}],
      ['hot', null, {}],
    ];
    for (const [id, region, tags] of make) {
      await tenants.create({ id, name: id, region, tags });
      keys[id] = (await issuer.create(id, { name: 'e2e' })).plaintext;
    }
  });
  afterEach(() => {
    openai.reset();
    mistral.reset();
  });
  afterAll(async () => {
    await gw.close();
    await openai.close();
    await mistral.close();
  });

  it('lets a call no rule matches through, without governance headers', async () => {
    const res = await chat('plain', hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-policy-warning')).toBeNull();
    expect(res.headers.get('x-budget-warning')).toBeNull();
  });

  it('refuses a denied model with the rule deny_message, before any upstream is called', async () => {
    const res = await chat('plain', hello('gpt-4-turbo-preview'));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      type: 'policy_violation',
      code: 'policy_denied',
      message: 'gpt-4-turbo is retired here; use gpt-4o.',
    });
    expect(openai.requests).toHaveLength(0);
  });

  it('refuses tools offered and tool calls replayed that a denylist names', async () => {
    const offered = await chat('plain', {
      ...hello(),
      tools: [{ type: 'function', function: { name: 'shell_exec', parameters: {} } }],
    });
    expect(offered.status).toBe(403);
    expect(offered.body.error.message).toBe('The shell_exec tool is not allowed.');
    const replayed = await chat('plain', {
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'run it' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'shell_exec', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
    });
    expect(replayed.status).toBe(403);
  });

  it('warns without refusing: X-Budget-Warning and every warning, in evaluation order', async () => {
    const res = await chat('search', { ...hello(), max_tokens: 4000 });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-budget-warning')).toBe('true');
    expect(res.headers.get('x-gateway-policy-warning')).toBe(
      // Same priority: ties go by policy id ('global' before 'search-team').
      'max_tokens above 1000 costs more; search team: log your experiments',
    );
    const small = await chat('search', { ...hello(), max_completion_tokens: 10 });
    expect(small.headers.get('x-gateway-policy-warning')).toBe('search team: log your experiments');
  });

  it('warns on streams too, in the headers sent with the first byte', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.plain}` },
      body: JSON.stringify({ ...hello(), max_tokens: 5000, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-policy-warning')).toBe('max_tokens above 1000 costs more');
    await readSse(res);
  });

  it('data residency DENY: 403 data_residency_violation, for chat and embeddings', async () => {
    const res = await chat('apac-corp', hello());
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      type: 'data_residency_error',
      code: 'data_residency_violation',
      message: "APAC data may not leave the region's providers.",
    });
    const embed = await postJson(
      `${gw.url}/v1/embeddings`,
      { model: 'text-embedding-3-small', input: 'hello' },
      { authorization: `Bearer ${keys['apac-corp']}` },
    );
    expect(embed.status).toBe(403);
    expect(embed.body.error.code).toBe('data_residency_violation');
    // An allowed provider is fine.
    expect((await chat('apac-corp', hello('mistral-small-latest'))).status).toBe(200);
    expect(openai.requests).toHaveLength(0);
  });

  it('data residency ROUTE: an EU tenant asking for gpt-4o is answered by Mistral', async () => {
    const res = await chat('eu-corp', hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('mistral');
    expect(res.headers.get('x-gateway-model')).toBe('mistral-large-latest');
    expect(openai.requests).toHaveLength(0);
    expect(mistral.requests).toHaveLength(1);
    expect((mistral.lastRequest?.body as { model: string }).model).toBe('mistral-large-latest');

    const streamed = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys['eu-corp']}` },
      body: JSON.stringify({ ...hello(), stream: true }),
    });
    expect(streamed.headers.get('x-gateway-provider')).toBe('mistral');
    const { data } = await readSse(streamed);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(openai.requests).toHaveLength(0);
  });

  it('re-checks every route target: a denied primary is skipped for an allowed fallback', async () => {
    const res = await chat('mistral-only', hello('smart'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('mistral');
    expect(openai.requests).toHaveLength(0);
  });

  it('never calls a denied fallback: the primary failure is the answer', async () => {
    openai.failNext(500);
    const res = await chat('openai-only', hello('smart'));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(openai.requests).toHaveLength(1);
    expect(mistral.requests).toHaveLength(0);
  });

  it('answers with the denial of the first target tried when no target is allowed', async () => {
    const res = await chat('locked', hello('smart'));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('first denial: openai');
    expect(openai.requests).toHaveLength(0);
    expect(mistral.requests).toHaveLength(0);
  });

  it('never enforces a SHADOW policy', async () => {
    const res = await chat('shadowed', hello());
    expect(res.status).toBe(200);
  });

  it('enforces a policy written through the admin API on the next call, and drops it on delete', async () => {
    expect((await chat('hot', hello())).status).toBe(200);
    const created = await call(gw, 'POST', '/v1/admin/policies', {
      body: {
        id: 'hot-deny',
        tenant: 'hot',
        dsl: 'rules:\n  - id: stop\n    conditions:\n      model: { denylist: ["gpt-4o"] }\n    deny_message: stopped\n',
      },
    });
    expect(created.status).toBe(201);
    const denied = await chat('hot', hello());
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('stopped');
    // Other tenants are not governed by it.
    expect((await chat('plain', hello())).status).toBe(200);
    expect((await call(gw, 'DELETE', '/v1/admin/policies/hot-deny')).status).toBe(204);
    expect((await chat('hot', hello())).status).toBe(200);
  });
});
