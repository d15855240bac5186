import type { IncomingHttpHeaders } from 'node:http';
import { Logger } from '@nestjs/common';
import {
  type DiagLogger,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  type Tracer,
  defaultTextMapGetter,
  diag,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';
import { CallTracer } from './call-tracer.js';
import { GATEWAY_TRACE_ID } from './gen-ai.attributes.js';
import { OtelCallTrace, type ProviderNamer } from './otel-call.trace.js';
import type { TracingSettings } from './tracing-settings.js';

/** The gateway's tracer name and version, as the instrumentation scope of its spans. */
const SCOPE = 'llm-gateway';

/**
 * {@link CallTracer} on OpenTelemetry's SDK: a tracer provider of its own (not registered
 * globally: nothing else in the process is instrumented), a batch span processor and an OTLP/HTTP
 * exporter in the configured protocol. Loaded only when tracing is on (`tracing.module.ts`).
 */
export class OtelCallTracer extends CallTracer {
  readonly enabled = true;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly tracer: Tracer;

  private constructor(
    private readonly provider: BasicTracerProvider,
    private readonly providerName: ProviderNamer,
  ) {
    super();
    this.tracer = provider.getTracer(SCOPE);
  }

  /** @param providerName a provider id's `gen_ai.provider.name` */
  static start(settings: TracingSettings, providerName: ProviderNamer): OtelCallTracer {
    diag.setLogger(new NestDiagLogger(), DiagLogLevel.WARN);
    const options = {
      url: settings.url,
      headers: { ...settings.headers },
      timeoutMillis: settings.timeoutMs,
      compression: settings.compression as ExporterOptions['compression'],
    };
    const exporter =
      settings.protocol === 'http/json'
        ? new JsonTraceExporter(options)
        : new ProtobufTraceExporter(options);
    const provider = new BasicTracerProvider({
      resource: defaultResource().merge(resourceFromAttributes(settings.resource)),
      sampler: samplerOf(settings),
      spanProcessors: [
        new BatchSpanProcessor(exporter, {
          scheduledDelayMillis: settings.batch.delayMs,
          maxQueueSize: settings.batch.maxQueueSize,
          maxExportBatchSize: settings.batch.maxBatchSize,
          exportTimeoutMillis: settings.batch.exportTimeoutMs,
        }),
      ],
    });
    return new OtelCallTracer(provider, providerName);
  }

  open(context: GovernanceContext, headers: IncomingHttpHeaders, route?: string): void {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const attributes: Record<string, string> = {
      [ATTR_HTTP_REQUEST_METHOD]: context.method,
      [ATTR_URL_PATH]: context.path,
      [ATTR_URL_SCHEME]: 'http',
      [GATEWAY_TRACE_ID]: context.traceId,
    };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    // HTTP conventions: `{method} {route}`, or the method alone when no route matched.
    const name = route === undefined ? context.method : `${context.method} ${route}`;
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    context.trace = new OtelCallTrace(this.tracer, span, parent, context, this.providerName);
  }

  close(context: GovernanceContext, outcome: CallOutcome): void {
    if (context.trace instanceof OtelCallTrace) context.trace.end(outcome);
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

type ExporterOptions = NonNullable<ConstructorParameters<typeof ProtobufTraceExporter>[0]>;

function samplerOf(settings: TracingSettings): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
  }
}

/** The SDK's own warnings (an export that failed, a full queue) in the gateway's log. */
class NestDiagLogger implements DiagLogger {
  private readonly logger = new Logger('Tracing');
  error = (message: string) => this.logger.error(message);
  warn = (message: string) => this.logger.warn(message);
  info = () => undefined;
  debug = () => undefined;
  verbose = () => undefined;
}
