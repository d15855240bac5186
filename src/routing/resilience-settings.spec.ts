import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '../config/config.loader.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { resolveFallbackSettings, resolveResilienceSettings } from './resilience-settings.js';

describe(resolveResilienceSettings.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-resilience-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The YAML an operator writes, through the real loader. */
  const load = (...lines: string[]): GatewayConfig => {
    writeFileSync(join(dir, 'application.yml'), ['gateway:', ...lines].join('\n'));
    return loadGatewayConfig({ env: {}, configDir: dir });
  };

  it('gives every provider the contract defaults and the upstream timeouts', () => {
    const settings = resolveResilienceSettings(load('  server: {}'), 'openai');
    expect(settings).toEqual({
      retry: {
        maxAttempts: 3,
        initialDelayMs: 500,
        multiplier: 2,
        maxDelayMs: 10_000,
        jitter: true,
      },
      circuitBreaker: {
        enabled: true,
        failureRateThreshold: 0.5,
        slidingWindowSize: 10,
        minimumCalls: 5,
        halfOpenAfterMs: 30_000,
      },
      timeouts: { requestMs: 30_000, streamMs: 120_000, streamIdleMs: 60_000 },
    });
  });

  it('layers a provider override key by key over gateway.resilience, leaving other providers alone', () => {
    const config = load(
      '  resilience:',
      '    retry:',
      '      max-attempts: 5',
      '      initial-delay-ms: 100',
      '    circuit-breaker:',
      '      half-open-after-ms: 1000',
      '  providers:',
      '    anthropic:',
      '      resilience:',
      '        retry:',
      '          max-attempts: 1',
      '        circuit-breaker:',
      '          enabled: false',
    );
    const anthropic = resolveResilienceSettings(config, 'anthropic');
    expect(anthropic.retry).toMatchObject({ maxAttempts: 1, initialDelayMs: 100, multiplier: 2 });
    expect(anthropic.circuitBreaker).toMatchObject({ enabled: false, halfOpenAfterMs: 1000 });

    const openai = resolveResilienceSettings(config, 'openai');
    expect(openai.retry).toMatchObject({ maxAttempts: 5, initialDelayMs: 100 });
    expect(openai.circuitBreaker).toMatchObject({ enabled: true, halfOpenAfterMs: 1000 });
  });

  it('takes timeouts from the provider, then gateway.resilience, then gateway.upstream', () => {
    const config = load(
      '  upstream:',
      '    request-timeout-ms: 11000',
      '    stream-timeout-ms: 22000',
      '    stream-idle-timeout-ms: 3300',
      '  resilience:',
      '    timeout:',
      '      stream-ms: 44000',
      '  providers:',
      '    gemini:',
      '      resilience:',
      '        timeout:',
      '          stream-idle-ms: 300',
    );
    expect(resolveResilienceSettings(config, 'gemini').timeouts).toEqual({
      requestMs: 11_000,
      streamMs: 44_000,
      streamIdleMs: 300,
    });
    expect(resolveResilienceSettings(config, 'cohere').timeouts).toEqual({
      requestMs: 11_000,
      streamMs: 44_000,
      streamIdleMs: 3300,
    });
  });

  it('finds the overrides of a kebab-case provider id and of a custom provider', () => {
    const config = load(
      '  providers:',
      '    azure-openai:',
      '      resilience:',
      '        retry:',
      '          max-attempts: 2',
      '    custom:',
      '      fireworks:',
      '        prefix: fireworks/',
      '        base-url: https://api.fireworks.ai/inference/v1',
      '        resilience:',
      '          retry:',
      '            jitter: false',
    );
    expect(resolveResilienceSettings(config, 'azure-openai').retry.maxAttempts).toBe(2);
    expect(resolveResilienceSettings(config, 'fireworks').retry).toMatchObject({
      maxAttempts: 3,
      jitter: false,
    });
  });

  it('caps minimum-calls at a window a provider shrank below it', () => {
    const config = load(
      '  providers:',
      '    openai:',
      '      resilience:',
      '        circuit-breaker:',
      '          sliding-window-size: 4',
    );
    expect(resolveResilienceSettings(config, 'openai').circuitBreaker).toMatchObject({
      slidingWindowSize: 4,
      minimumCalls: 4,
    });
  });

  it('reads the fallback chain limits from gateway.resilience.fallback', () => {
    expect(resolveFallbackSettings(load('  server: {}'))).toEqual({
      maxAttempts: 3,
      deadlineMs: 60_000,
    });
    const config = load('  resilience:', '    fallback:', '      deadline-ms: 5000');
    expect(resolveFallbackSettings(config)).toEqual({ maxAttempts: 3, deadlineMs: 5000 });
  });
});
