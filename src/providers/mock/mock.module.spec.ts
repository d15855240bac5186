import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { GatewayConfigModule } from '../../config/gateway-config.module.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { MockAdapter } from './mock.adapter.js';
import { MockModule } from './mock.module.js';
import { MOCK_PROVIDER } from './mock.provider-definition.js';

function configWith(enabled: boolean, profiles: string[]): GatewayConfig {
  const mock: GatewayConfig['providers']['mock'] = {
    enabled,
    response: 'This is a mock response',
    latencyMs: 0,
    streamTokenDelayMs: 0,
    errorRate: 0,
    scriptTimeoutMs: 1000,
    sandbox: { workers: 1, maxHeapMb: 32, maxQueued: 10 },
    embeddingDimensions: 1536,
    responseOverrides: {},
  };
  return { providers: { mock }, profiles, sources: [] } as unknown as GatewayConfig;
}

async function start(config: GatewayConfig) {
  const moduleRef = await Test.createTestingModule({
    imports: [GatewayConfigModule.forRoot(config), MockModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe(MockModule.name, () => {
  let warn: jest.Spied<Logger['warn']>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    warn.mockRestore();
  });

  it('provides a working MockAdapter', async () => {
    const moduleRef = await start(configWith(true, []));

    const adapter = moduleRef.get(MockAdapter);
    const completion = await adapter.complete(
      { model: 'mock/default', messages: [{ role: 'user', content: 'hi' }] },
      { model: 'mock/default', traceId: 't' },
    );

    expect(completion.choices[0].message.content).toBe('This is a mock response');
    await moduleRef.close();
  });

  it('warns at start-up when the mock is enabled under the production profile', async () => {
    const moduleRef = await start(configWith(true, ['cloud', 'production']));

    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /mock provider is enabled under the 'production' profile/,
    );
    await moduleRef.close();
  });

  it.each([
    ['enabled outside production', true, ['dev']],
    ['disabled under production', false, ['production']],
  ])('stays quiet when %s', async (_case, enabled, profiles) => {
    const moduleRef = await start(configWith(enabled, profiles));

    expect(warn).not.toHaveBeenCalled();
    await moduleRef.close();
  });
});

describe('MOCK_PROVIDER', () => {
  it('serves mock/ models unstripped, through MockModule and MockAdapter', () => {
    expect(MOCK_PROVIDER).toMatchObject({
      id: 'mock',
      prefixes: ['mock/'],
      stripPrefix: false,
      activationHint: 'MOCK_PROVIDER_ENABLED=true',
      module: MockModule,
      adapter: MockAdapter,
    });
  });

  it('is active exactly when providers.mock.enabled holds', () => {
    expect(MOCK_PROVIDER.isActive(configWith(true, []))).toBe(true);
    expect(MOCK_PROVIDER.isActive(configWith(false, []))).toBe(false);
  });
});
