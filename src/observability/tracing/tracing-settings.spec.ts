import { DEFAULT_CONFIG_DIR, loadGatewayConfig } from '../../config/config.loader.js';
import { TracingOff } from './tracing-off.js';
import { resolveTracingSettings } from './tracing-settings.js';
import { CALL_TRACER_PROVIDER } from './tracing.provider.js';

const settings = (env: Record<string, string>) =>
  resolveTracingSettings(loadGatewayConfig({ env, configDir: DEFAULT_CONFIG_DIR }));

describe(resolveTracingSettings.name, () => {
  it('is off without an endpoint, and with one when the SDK or the exporter is turned off', () => {
    expect(settings({})).toBeUndefined();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(settings({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(settings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(settings(endpoint)).toBeDefined();
  });

  it('appends /v1/traces to the generic endpoint and takes the traces endpoint as given', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.url).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/traces',
      })?.url,
    ).toBe('https://tempo.example/otlp/traces');
  });

  it('names the service: OTEL_SERVICE_NAME, else the resource attribute, else llm-gateway', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    const name = (env: Record<string, string>) =>
      settings({ ...endpoint, ...env })?.resource['service.name'];
    expect(name({})).toBe('llm-gateway');
    expect(name({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,team=ml' })).toBe(
      'from-attrs',
    );
    expect(
      name({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'named' }),
    ).toBe('named');
  });
});

describe('CALL_TRACER_PROVIDER', () => {
  it('binds the tracer that does nothing when tracing is off', async () => {
    const factory = (CALL_TRACER_PROVIDER as { useFactory: (c: unknown) => Promise<unknown> })
      .useFactory;
    const tracer = await factory(loadGatewayConfig({ env: {}, configDir: DEFAULT_CONFIG_DIR }));
    expect(tracer).toBeInstanceOf(TracingOff);
  });
});
