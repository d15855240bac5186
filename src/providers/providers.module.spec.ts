import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { StubLlmProvider } from '../../test/helpers/stub-llm-provider.js';
import type { ProviderBinding, ProviderDefinition } from './provider-definition.js';
import { ProviderRegistry } from './provider-registry.service.js';
import { ProvidersModule } from './providers.module.js';

const ACTIVE_TOKEN = 'active-adapter';

@Module({
  providers: [{ provide: ACTIVE_TOKEN, useValue: new StubLlmProvider('active') }],
  exports: [ACTIVE_TOKEN],
})
class ActiveVendorModule {}

const definition = (
  id: string,
  active: boolean,
  load: () => Promise<ProviderBinding>,
): ProviderDefinition => ({
  id,
  prefixes: [`${id}/`],
  stripPrefix: true,
  activationHint: `${id.toUpperCase()}_ENABLED=true`,
  isActive: () => active,
  load,
});

describe(ProvidersModule.name, () => {
  const config = {} as GatewayConfig;

  it("loads only the active providers' modules, and registers them", async () => {
    const loadActive = jest.fn(() =>
      Promise.resolve({ module: ActiveVendorModule, adapter: ACTIVE_TOKEN }),
    );
    const loadInactive = jest.fn(() => Promise.reject(new Error('must not be loaded')));
    const catalog = [
      definition('active', true, loadActive),
      definition('inactive', false, loadInactive),
    ];

    const moduleRef = await Test.createTestingModule({
      imports: [ProvidersModule.forRoot(config, catalog)],
    }).compile();

    const registry = moduleRef.get(ProviderRegistry);
    expect(registry.providers.map((p) => p.id)).toEqual(['active']);
    expect(loadActive).toHaveBeenCalledTimes(1);
    expect(loadInactive).not.toHaveBeenCalled();
    // The inactive provider is still known, so its prefix names what would activate it.
    expect(() => registry.resolve('inactive/model')).toThrow(/INACTIVE_ENABLED=true/);
    await moduleRef.close();
  });

  it('fails the start-up when an active provider cannot be loaded', async () => {
    const catalog = [
      definition('broken', true, () => Promise.reject(new Error('Cannot find package x'))),
    ];
    await expect(ProvidersModule.forRoot(config, catalog)).rejects.toThrow('Cannot find package x');
  });
});
