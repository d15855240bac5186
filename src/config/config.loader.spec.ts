import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.errors.js';
import { DEFAULT_CONFIG_DIR, loadGatewayConfig } from './config.loader.js';

describe('loadGatewayConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const load = (env: Record<string, string> = {}) => loadGatewayConfig({ env, configDir: dir });
  const failure = (env: Record<string, string> = {}) => {
    try {
      load(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected the configuration to be refused');
  };

  it('applies defaults and camel-cases keys', () => {
    write('application.yml', 'gateway:\n  server:\n    port: 9090\n');
    const config = load();
    expect(config.server.port).toBe(9090);
    expect(config.server.maxBodyBytes).toBe(20 * 1024 * 1024);
    expect(config.providers.mock.latencyMs).toBe(100);
    expect(config.providers.mock.response).toBe('This is a mock response');
    expect(config.providers.openai.baseUrl).toBe('https://api.openai.com/v1');
    expect(config.auth.required).toBe(true);
    expect(config.profiles).toEqual([]);
  });

  it('interpolates ${VAR:default} from the environment, with empty and nested defaults', () => {
    write(
      'application.yml',
      [
        'gateway:',
        '  server:',
        '    port: ${PORT:8080}',
        '    host: ${HOST:${FALLBACK_HOST:127.0.0.1}}',
        '  providers:',
        '    openai:',
        '      api-key: ${OPENAI_API_KEY:}',
        '    mock:',
        '      enabled: ${MOCK_PROVIDER_ENABLED:false}',
        "      response: 'literal \\${NOT_A_VAR} kept'",
      ].join('\n'),
    );
    const unset = load();
    expect(unset.server.port).toBe(8080);
    expect(unset.server.host).toBe('127.0.0.1');
    expect(unset.providers.openai.apiKey).toBe('');
    expect(unset.providers.mock.enabled).toBe(false);
    expect(unset.providers.mock.response).toBe('literal ${NOT_A_VAR} kept');

    const set = load({
      PORT: '7000',
      FALLBACK_HOST: '10.0.0.1',
      OPENAI_API_KEY: 'sk-x',
      MOCK_PROVIDER_ENABLED: 'true',
    });
    expect(set.server.port).toBe(7000);
    expect(set.server.host).toBe('10.0.0.1');
    expect(set.providers.openai.apiKey).toBe('sk-x');
    expect(set.providers.mock.enabled).toBe(true);
  });

  it('layers profiles in order, later profiles winning', () => {
    write('application.yml', 'gateway:\n  providers:\n    mock:\n      latency-ms: 100\n');
    write('application-dev.yml', 'gateway:\n  providers:\n    mock:\n      latency-ms: 5\n');
    write('application-fast.yml', 'gateway:\n  providers:\n    mock:\n      latency-ms: 0\n');
    expect(load({ GATEWAY_PROFILE: 'dev' }).providers.mock.latencyMs).toBe(5);
    const both = load({ GATEWAY_PROFILE: 'dev,fast' });
    expect(both.providers.mock.latencyMs).toBe(0);
    expect(both.profiles).toEqual(['dev', 'fast']);
    expect(both.sources).toEqual([
      join(dir, 'application.yml'),
      join(dir, 'application-dev.yml'),
      join(dir, 'application-fast.yml'),
    ]);
  });

  it('refuses a profile with no file, naming it', () => {
    write('application.yml', 'gateway: {}\n');
    expect(failure({ GATEWAY_PROFILE: 'prodution' })).toContain('application-prodution.yml');
  });

  it("loads the seed's overrides.yml as written through SPRING_CONFIG_ADDITIONAL_LOCATION", () => {
    write(
      'application.yml',
      'gateway:\n  providers:\n    openai:\n      api-key: ${OPENAI_API_KEY:}\n',
    );
    const overrides = write(
      'overrides.yml',
      [
        '# overrides.yml — apply with SPRING_CONFIG_ADDITIONAL_LOCATION',
        'dvara:',
        '  llm-gateway:',
        '    providers:',
        '      openai:',
        '        base-url: https://api.fireworks.ai/inference/v1',
      ].join('\n'),
    );
    const config = load({ SPRING_CONFIG_ADDITIONAL_LOCATION: overrides, OPENAI_API_KEY: 'fw_x' });
    expect(config.providers.openai.baseUrl).toBe('https://api.fireworks.ai/inference/v1');
    expect(config.providers.openai.apiKey).toBe('fw_x');
    expect(config.sources).toContain(overrides);
  });

  it('layers GATEWAY_CONFIG_ADDITIONAL_LOCATION after the Spring one, with file: and optional: prefixes', () => {
    write('application.yml', 'gateway: {}\n');
    const spring = write('spring.yml', 'gateway:\n  server:\n    port: 1111\n');
    const ours = write('ours.yml', 'gateway.server.port: 2222\n');
    const config = load({
      SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${spring}`,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: `optional:${join(dir, 'absent.yml')},${ours}`,
    });
    expect(config.server.port).toBe(2222);
  });

  it('refuses a missing additional file unless it is optional', () => {
    write('application.yml', 'gateway: {}\n');
    expect(failure({ GATEWAY_CONFIG_ADDITIONAL_LOCATION: join(dir, 'nope.yml') })).toContain(
      join(dir, 'nope.yml'),
    );
  });

  it('keeps bracketed override keys whole: slashes and dots survive', () => {
    write(
      'application.yml',
      [
        'gateway:',
        '  providers:',
        '    mock:',
        '      response-overrides:',
        '        "[mock/fast]": "Fast model response"',
        '        "[mock/gpt-4.1]": "dotted"',
      ].join('\n'),
    );
    expect(load().providers.mock.responseOverrides).toEqual({
      'mock/fast': 'Fast model response',
      'mock/gpt-4.1': 'dotted',
    });
  });

  it('keeps custom provider names as written and camel-cases their settings', () => {
    write(
      'application.yml',
      [
        'gateway:',
        '  providers:',
        '    custom:',
        '      my-vllm:',
        '        prefix: vllm/',
        '        base-url: http://10.0.0.5:8000/v1',
        '        auth-header: x-api-key',
        '        headers:',
        '          X-Tenant-Route: blue',
        '        capabilities:',
        '          max-context-tokens: 8192',
      ].join('\n'),
    );
    const custom = load().providers.custom['my-vllm'];
    expect(custom.prefix).toEqual(['vllm/']);
    expect(custom.baseUrl).toBe('http://10.0.0.5:8000/v1');
    expect(custom.authHeader).toBe('x-api-key');
    expect(custom.stripPrefix).toBe(true);
    expect(custom.headers).toEqual({ 'X-Tenant-Route': 'blue' });
    expect(custom.capabilities.maxContextTokens).toBe(8192);
  });

  it('refuses a custom provider named like a built-in one', () => {
    write(
      'application.yml',
      'gateway:\n  providers:\n    custom:\n      groq:\n        base-url: http://h/v1\n',
    );
    expect(failure()).toMatch(/'groq' is a built-in provider id/);
  });

  it('refuses a route naming an unknown provider or without targets', () => {
    write(
      'application.yml',
      [
        'gateway:',
        '  routes:',
        '    - model: "gpt-*"',
        '      providers:',
        '        - provider: opnai',
      ].join('\n'),
    );
    expect(failure()).toMatch(/unknown provider 'opnai'/);
    write('application.yml', 'gateway:\n  routes:\n    - model: "x"\n      providers: []\n');
    expect(failure()).toMatch(/at least one target/);
  });

  it('accepts a route whose targets are a built-in and a custom provider', () => {
    write(
      'application.yml',
      [
        'gateway:',
        '  providers:',
        '    custom:',
        '      fireworks:',
        '        base-url: https://api.fireworks.ai/inference/v1',
        '  routes:',
        '    - model: "chat-*"',
        '      strategy: weighted',
        '      providers:',
        '        - { provider: openai, model: gpt-4o, weight: 3 }',
        '        - { provider: fireworks, weight: 1 }',
        '      fallbacks:',
        '        - { provider: anthropic, model: claude-sonnet-4-5 }',
      ].join('\n'),
    );
    const [route] = load().routes;
    expect(route.strategy).toBe('weighted');
    expect(route.providers.map((t) => t.provider)).toEqual(['openai', 'fireworks']);
    expect(route.fallbacks[0].model).toBe('claude-sonnet-4-5');
  });

  it('stops on an unknown key, naming the key and the file', () => {
    const file = write(
      'application.yml',
      'gateway:\n  providers:\n    mock:\n      latncy-ms: 5\n',
    );
    const message = failure();
    expect(message).toContain('gateway.providers.mock.latncy-ms');
    expect(message).toContain('unknown key');
    expect(message).toContain(file);
  });

  it('stops on a bad value, naming the key and the file that set it', () => {
    write('application.yml', 'gateway:\n  providers:\n    mock:\n      error-rate: 0.5\n');
    const profile = write(
      'application-x.yml',
      'gateway:\n  providers:\n    mock:\n      error-rate: 3\n',
    );
    const message = failure({ GATEWAY_PROFILE: 'x' });
    expect(message).toContain('gateway.providers.mock.error-rate');
    expect(message).toContain(profile);
  });

  it('stops on a value that is not a number where one is needed', () => {
    write('application.yml', 'gateway:\n  server:\n    port: ${PORT:8080}\n');
    expect(failure({ PORT: 'eighty' })).toContain('gateway.server.port');
  });

  it('stops on a PII custom pattern that can backtrack catastrophically, naming its key', () => {
    write(
      'application.yml',
      "gateway:\n  pii:\n    custom-patterns:\n      ticket: 'TCK-[0-9]{5}'\n      risky: '(a+)+$'\n",
    );
    const message = failure();
    expect(message).toContain('gateway.pii.custom-patterns.risky');
    expect(message).not.toContain('custom-patterns.ticket');
  });

  it('reads the PII settings case-insensitively and keeps custom pattern labels as written', () => {
    write(
      'application.yml',
      "gateway:\n  pii:\n    default-action: redact\n    types: [email, Ssn]\n    custom-patterns:\n      Employee-ID: 'EMP-[0-9]{6}'\n",
    );
    const pii = load().pii;
    expect(pii.defaultAction).toBe('REDACT');
    expect(pii.types).toEqual(['EMAIL', 'SSN']);
    expect(pii.customPatterns).toEqual({ 'Employee-ID': 'EMP-[0-9]{6}' });
    expect(pii.streamHoldbackChars).toBe(64);
    write('application.yml', 'gateway:\n  pii:\n    types: [EMAIL, SOCIAL]\n');
    expect(failure()).toContain('gateway.pii.types');
  });

  it('never echoes a secret value in an error', () => {
    write(
      'application.yml',
      'gateway:\n  providers:\n    openai:\n      api-key: ${OPENAI_API_KEY:}\n      base-url: not a url\n',
    );
    const message = failure({ OPENAI_API_KEY: 'sk-very-secret-value' });
    expect(message).toContain('gateway.providers.openai.base-url');
    expect(message).not.toContain('sk-very-secret-value');
  });

  it('refuses top-level keys outside gateway and its dvara.llm-gateway alias', () => {
    const file = write('application.yml', 'gatway:\n  server:\n    port: 1\n');
    const message = failure();
    expect(message).toContain('"gatway"');
    expect(message).toContain(file);
  });

  it('reports invalid YAML with the file and line', () => {
    const file = write('application.yml', 'gateway:\n  server:\n    port: [1,\n');
    const message = failure();
    expect(message).toContain(file);
    expect(message).toMatch(/line \d+/);
  });

  it.each([[''], ['dev'], ['production'], ['ci']])(
    'loads the shipped config/ with profile "%s"',
    (profile) => {
      const config = loadGatewayConfig({
        env: { GATEWAY_PROFILE: profile },
        configDir: DEFAULT_CONFIG_DIR,
      });
      expect(config.server.port).toBe(8080);
      if (profile === 'dev') {
        expect(config.auth.required).toBe(false);
        expect(config.providers.mock.enabled).toBe(true);
      }
      if (profile === 'production') {
        expect(config.auth.required).toBe(true);
        expect(config.providers.mock.enabled).toBe(false);
      }
      if (profile === 'ci') expect(config.providers.mock.latencyMs).toBe(0);
    },
  );

  it('maps the audit settings of the shipped config/ from GATEWAY_ and DVARA_ variables', () => {
    const defaults = loadGatewayConfig({ env: {}, configDir: DEFAULT_CONFIG_DIR }).audit;
    expect(defaults).toEqual({
      enabled: true,
      hmacSecret: '',
      signingKey: '',
      checkpointEveryEvents: 1000,
      checkpointIntervalMs: 10000,
      file: '',
      flushIntervalMs: 50,
      batchSize: 500,
      maxQueue: 10000,
      captureContent: false,
    });
    const dvara = loadGatewayConfig({
      env: { DVARA_AUDIT_HMAC_SECRET: 'from-dvara', DVARA_AUDIT_FILE_PATH: '/var/audit.jsonl' },
      configDir: DEFAULT_CONFIG_DIR,
    });
    expect(dvara.audit).toMatchObject({ hmacSecret: 'from-dvara', file: '/var/audit.jsonl' });
    const ours = loadGatewayConfig({
      env: {
        DVARA_AUDIT_HMAC_SECRET: 'from-dvara',
        GATEWAY_AUDIT_HMAC_SECRET: 'ours',
        GATEWAY_INSTANCE_ID: 'replica-7',
      },
      configDir: DEFAULT_CONFIG_DIR,
    });
    expect(ours.audit.hmacSecret).toBe('ours');
    expect(ours.server.instanceId).toBe('replica-7');
  });

  it('takes the Bedrock address as base-url (the contract name) or endpoint, never two of them', () => {
    const at = (env: Record<string, string>) =>
      loadGatewayConfig({ env, configDir: DEFAULT_CONFIG_DIR }).providers.bedrock;
    expect(at({ BEDROCK_BASE_URL: 'http://vpce.example:8443' }).baseUrl).toBe(
      'http://vpce.example:8443',
    );
    expect(at({ BEDROCK_ENDPOINT: 'http://proxy.example' }).endpoint).toBe('http://proxy.example');
    expect(() =>
      at({ BEDROCK_BASE_URL: 'http://a.example', BEDROCK_ENDPOINT: 'http://b.example' }),
    ).toThrow(/providers\.bedrock\.base-url.*set one of them/s);
  });

  it('reads GATEWAY_WORKERS: 1 by default, 0 or auto one per CPU, refused past the range', () => {
    const workers = (env: Record<string, string>) =>
      loadGatewayConfig({ env, configDir: DEFAULT_CONFIG_DIR }).server.workers;
    expect(workers({})).toBe(1);
    expect(workers({ GATEWAY_WORKERS: '3' })).toBe(3);
    expect(workers({ GATEWAY_WORKERS: '0' })).toBe(availableParallelism());
    expect(workers({ GATEWAY_WORKERS: 'AUTO' })).toBe(availableParallelism());
    for (const bad of ['-1', '2.5', 'many', '1025']) {
      expect(() => workers({ GATEWAY_WORKERS: bad })).toThrow(/gateway\.server\.workers/);
    }
  });

  it('refuses a fixed instance id shared by several workers (one audit writer per process)', () => {
    write('application.yml', 'gateway:\n  server:\n    workers: 2\n    instance-id: replica-7\n');
    expect(failure()).toMatch(/server\.instance-id.*workers is above 1/);
  });
});
