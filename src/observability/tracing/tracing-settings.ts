import type { GatewayConfig } from '../../config/gateway-config.types.js';

/** The tracing configuration, resolved: where spans go and how, when tracing is on. */
export interface TracingSettings {
  /** The OTLP/HTTP traces URL (the signal-specific endpoint, or `<endpoint>/v1/traces`). */
  readonly url: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: 'gzip' | 'none';
  readonly resource: Readonly<Record<string, string>>;
  readonly sampler: GatewayConfig['tracing']['sampler'];
  readonly samplerRatio: number;
  readonly batch: {
    readonly delayMs: number;
    readonly maxQueueSize: number;
    readonly maxBatchSize: number;
    readonly exportTimeoutMs: number;
  };
}

const DEFAULT_SERVICE_NAME = 'llm-gateway';

/**
 * Whether tracing is on and with what (the OpenTelemetry SDK specification's rules): on when
 * an OTLP endpoint is set, unless `OTEL_SDK_DISABLED` or `OTEL_TRACES_EXPORTER=none`. The
 * traces endpoint is used as given; the generic one gets `/v1/traces` appended.
 */
export function resolveTracingSettings(config: GatewayConfig): TracingSettings | undefined {
  const tracing = config.tracing;
  if (tracing.sdkDisabled || tracing.exporter === 'none') return undefined;
  const url =
    tracing.tracesEndpoint !== ''
      ? tracing.tracesEndpoint
      : tracing.endpoint !== ''
        ? `${tracing.endpoint.replace(/\/+$/, '')}/v1/traces`
        : undefined;
  if (url === undefined) return undefined;
  const serviceName =
    tracing.serviceName || tracing.resourceAttributes['service.name'] || DEFAULT_SERVICE_NAME;
  return {
    url,
    protocol: tracing.protocol,
    headers: tracing.headers,
    timeoutMs: tracing.timeoutMs,
    compression: tracing.compression,
    resource: { ...tracing.resourceAttributes, 'service.name': serviceName },
    sampler: tracing.sampler,
    samplerRatio: tracing.samplerArg,
    batch: {
      delayMs: tracing.batchDelayMs,
      maxQueueSize: tracing.batchMaxQueueSize,
      maxBatchSize: tracing.batchMaxSize,
      exportTimeoutMs: tracing.batchExportTimeoutMs,
    },
  };
}
