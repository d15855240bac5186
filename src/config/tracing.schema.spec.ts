import { ConfigError } from './config.errors.js';
import { DEFAULT_CONFIG_DIR, loadGatewayConfig } from './config.loader.js';

/** The shipped `config/application.yml`, read with the given environment. */
const load = (env: Record<string, string>) =>
  loadGatewayConfig({ env, configDir: DEFAULT_CONFIG_DIR }).tracing;

describe('gateway.tracing (the OTEL_* variables)', () => {
  it('is all defaults, with no endpoint, when no OTEL_* variable is set', () => {
    expect(load({})).toMatchObject({
      endpoint: '',
      tracesEndpoint: '',
      protocol: 'http/protobuf',
      headers: {},
      exporter: 'otlp',
      sdkDisabled: false,
      sampler: 'parentbased_always_on',
      samplerArg: 1,
      batchDelayMs: 5000,
    });
  });

  it('maps the standard variables, the signal-specific ones winning', () => {
    const tracing = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=ops',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_SERVICE_NAME: 'gateway-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service-version=1.2',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    expect(tracing).toMatchObject({
      endpoint: 'http://collector:4318',
      tracesEndpoint: 'http://tempo:4318/v1/traces',
      protocol: 'http/json',
      headers: { authorization: 'Bearer abc', 'x-tenant': 'ops' },
      timeoutMs: 2500,
      serviceName: 'gateway-eu',
      resourceAttributes: { 'deployment.environment': 'prod', 'service-version': '1.2' },
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      batchDelayMs: 200,
    });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'tracing.protocol'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'tracing.endpoint'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' }, 'tracing.headers'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'tracing.sampler-arg'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'tracing.exporter'],
  ])('refuses to start on %j, naming the key', (env, key) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(key);
  });
});
