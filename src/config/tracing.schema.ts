import { z } from 'zod';
import { bool, int, optionalUrl, str } from './schema-fields.js';

/**
 * OpenTelemetry's `key1=value1,key2=value2` lists (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_RESOURCE_ATTRIBUTES), values percent-encoded; a YAML mapping is accepted too.
 */
const keyValueList = () =>
  z.preprocess(
    (v, ctx) => {
      if (typeof v !== 'string') return v;
      const out: Record<string, string> = {};
      for (const pair of v.split(',')) {
        if (pair.trim() === '') continue;
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          ctx.addIssue({ code: 'custom', message: 'expected key=value pairs separated by commas' });
          return v;
        }
        try {
          out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
        } catch {
          ctx.addIssue({ code: 'custom', message: `a value is not percent-encoded properly` });
          return v;
        }
      }
      return out;
    },
    z.record(z.string(), str()),
  );

/**
 * `gateway.tracing` (contract 14): the standard `OTEL_*` variables, mapped in
 * `config/application.yml`. Tracing is on when an OTLP endpoint is set, the exporter is `otlp`
 * and the SDK is not disabled; otherwise nothing of OpenTelemetry's SDK is even loaded.
 */
export const tracingSchema = z
  .strictObject({
    // OTEL_EXPORTER_OTLP_ENDPOINT: traces go to <endpoint>/v1/traces.
    endpoint: optionalUrl().default(''),
    // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: used as it is; wins over `endpoint`.
    'traces-endpoint': optionalUrl().default(''),
    // OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL. gRPC is not offered.
    protocol: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
    // OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, e.g. the collector's credentials: never logged.
    headers: keyValueList().default({}),
    // OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT, per export request.
    'timeout-ms': int(1).default(10_000),
    // OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION.
    compression: z.enum(['gzip', 'none']).default('none'),
    // OTEL_SERVICE_NAME; empty: `service.name` of the resource attributes, else `llm-gateway`.
    'service-name': str().default(''),
    // OTEL_RESOURCE_ATTRIBUTES.
    'resource-attributes': keyValueList().default({}),
    // OTEL_TRACES_EXPORTER: `none` turns tracing off.
    exporter: z.enum(['otlp', 'none']).default('otlp'),
    // OTEL_SDK_DISABLED.
    'sdk-disabled': bool().default(false),
    // OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (the ratio of the *traceidratio ones).
    sampler: z
      .enum([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ])
      .default('parentbased_always_on'),
    'sampler-arg': z
      .preprocess(
        (v) => (v === '' || v === undefined ? 1 : typeof v === 'string' ? Number(v) : v),
        z.number().min(0).max(1),
      )
      .default(1),
    // OTEL_BSP_*: the batch span processor.
    'batch-delay-ms': int(0).default(5_000),
    'batch-max-queue-size': int(1).default(2_048),
    'batch-max-size': int(1).default(512),
    'batch-export-timeout-ms': int(1).default(30_000),
  })
  .superRefine((tracing, ctx) => {
    if (tracing['batch-max-size'] > tracing['batch-max-queue-size']) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch-max-size'],
        message: 'must not exceed batch-max-queue-size (OTEL_BSP_MAX_QUEUE_SIZE)',
      });
    }
  })
  .prefault({});
