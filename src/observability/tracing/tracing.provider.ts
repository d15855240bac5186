import { Logger, type Provider } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ProviderRegistry } from '../../providers/provider-registry.service.js';
import { CallTracer } from './call-tracer.js';
import { TracingOff } from './tracing-off.js';
import { resolveTracingSettings } from './tracing-settings.js';

/**
 * Binds {@link CallTracer}: OpenTelemetry's SDK is imported only when tracing is on, so a
 * gateway without an OTLP endpoint neither loads nor pays for it.
 */
export const CALL_TRACER_PROVIDER: Provider = {
  provide: CallTracer,
  inject: [GATEWAY_CONFIG, ProviderRegistry],
  useFactory: async (config: GatewayConfig, providers: ProviderRegistry): Promise<CallTracer> => {
    const settings = resolveTracingSettings(config);
    if (settings === undefined) return new TracingOff();
    const { OtelCallTracer } = await import('./otel-call.tracer.js');
    const tracer = OtelCallTracer.start(settings, (id) => providers.genAiProviderName(id));
    const target = new URL(settings.url);
    new Logger('Tracing').log({
      msg: `Tracing on: spans go to ${target.origin}${target.pathname} (${settings.protocol})`,
      service_name: settings.resource['service.name'],
      sampler: settings.sampler,
    });
    return tracer;
  },
};
