import { ConfigError } from '../../src/config/config.errors.js';
import { loadGatewayConfig } from '../../src/config/config.loader.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';

/** Route matching, strategies and capability-aware selection (contract section 6), end to end. */
describe('routing: routes and strategies', () => {
  const openai = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  const chat = (model: string, extra: object = {}) =>
    postJson(`${gw.url}/v1/chat/completions`, {
      model,
      messages: [{ role: 'user', content: 'Hello' }],
      ...extra,
    });
  const weatherTool = {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
  };

  beforeAll(async () => {
    await openai.start();
    gw = await startGateway({
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: openai.baseUrl },
      yaml: `
gateway:
  routes:
    - model: weighted-*
      strategy: weighted
      providers:
        - { provider: mock, model: mock/a, weight: 3 }
        - { provider: mock, model: mock/b, weight: 1 }
    - model: Rotating-Chat
      strategy: round-robin
      providers:
        - { provider: mock, model: mock/a }
        - { provider: mock, model: mock/b }
        - { provider: mock, model: mock/c }
    - model: smart-?
      providers:
        - { provider: mock, model: mock/cheap }
        - { provider: openai, model: gpt-4o-mini }
    - model: mock-only
      providers:
        - { provider: mock, model: mock/a }
        - { provider: mock, model: mock/b }
    # Never reached for smart-1: the first matching route wins.
    - model: smart-*
      providers:
        - { provider: mock, model: mock/never }
`,
    });
  });
  afterEach(() => openai.reset());
  afterAll(async () => {
    await gw.close();
    await openai.close();
  });

  it('splits weighted traffic 3:1 over 1,000 calls, within a 5-sigma binomial bound', async () => {
    const counts: Record<string, number> = {};
    const calls = 1000;
    const concurrency = 20;
    for (let sent = 0; sent < calls; sent += concurrency) {
      const batch = await Promise.all(
        Array.from({ length: concurrency }, () => chat('weighted-chat')),
      );
      for (const res of batch) {
        expect(res.status).toBe(200);
        counts[res.body.model] = (counts[res.body.model] ?? 0) + 1;
      }
    }
    expect(Object.keys(counts).sort()).toEqual(['mock/a', 'mock/b']);
    // mock/a's count is Binomial(n = 1000, p = 3/4): mean 750, sd = sqrt(1000 * 0.75 * 0.25) ~ 13.7.
    // Accepting 750 +/- 5 sd (682..818) fails a correct router with probability below 1e-6,
    // while an even split (500) or a strategy that always picks the first target (1000) fails it.
    const sd = Math.sqrt(calls * 0.75 * 0.25);
    expect(Math.abs(counts['mock/a'] - 750)).toBeLessThanOrEqual(5 * sd);
    expect(counts['mock/a'] + counts['mock/b']).toBe(calls);
  });

  it('rotates round-robin over the targets, matching the route case-insensitively', async () => {
    const models: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await chat('rotating-chat');
      models.push(res.body.model);
      expect(res.headers.get('x-gateway-model')).toBe(res.body.model);
    }
    const start = models.indexOf('mock/a');
    const rotation = [...models.slice(start), ...models.slice(0, start)];
    expect(rotation).toEqual(['mock/a', 'mock/b', 'mock/c', 'mock/a', 'mock/b', 'mock/c']);
  });

  it('takes the first target in order, skipping one that cannot serve the request', async () => {
    const plain = await chat('smart-1');
    expect(plain.body.model).toBe('mock/cheap');
    expect(plain.headers.get('x-gateway-provider')).toBe('mock');

    const withTools = await chat('smart-1', { tools: [weatherTool] });
    expect(withTools.status).toBe(200);
    expect(withTools.headers.get('x-gateway-provider')).toBe('openai');
    expect(withTools.headers.get('x-gateway-model')).toBe('gpt-4o-mini');
    expect((openai.lastRequest?.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('refuses with 400 no_capable_provider naming what was needed and which targets lacked it', async () => {
    const res = await chat('mock-only', { tools: [weatherTool], stream: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('no_capable_provider');
    expect(res.body.error.type).toBe('invalid_request_error');
    expect(res.body.error.message).toContain('needs streaming tool calls');
    expect(res.body.error.message).toContain('mock (mock/a) lacks streaming tool calls');
    expect(res.body.error.message).toContain('mock (mock/b) lacks streaming tool calls');
  });

  it('keeps the precise refusal of prefix dispatch when no route matches', async () => {
    const res = await chat('mock/default', { tools: [weatherTool] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsupported_capability');
    expect(res.body.error.param).toBe('tools');
  });
});

describe('routing: route configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-routes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = (yaml: string): string => {
    const file = join(dir, 'routes.yml');
    writeFileSync(file, yaml);
    try {
      loadGatewayConfig({ env: { GATEWAY_CONFIG_ADDITIONAL_LOCATION: file } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the configuration to be refused');
  };

  it('refuses a route that names an unknown provider', () => {
    const message = refusal(
      'gateway:\n  routes:\n    - model: x\n      providers:\n        - provider: nope\n',
    );
    expect(message).toContain("unknown provider 'nope'");
    expect(message).toContain('routes');
  });

  it('refuses a route with an empty target list', () => {
    expect(refusal('gateway:\n  routes:\n    - model: x\n      providers: []\n')).toContain(
      'at least one target',
    );
  });
});
