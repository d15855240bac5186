import { Module } from '@nestjs/common';
import { GovernanceCoreModule } from '../governance/pipeline/governance-core.module.js';
import { AccessLogObserver } from './logging/access-log.observer.js';
import { CallTracer } from './tracing/call-tracer.js';
import { TraceSettlementObserver } from './tracing/trace-settlement.observer.js';
import { CALL_TRACER_PROVIDER } from './tracing/tracing.provider.js';

/**
 * Logs and traces of the data plane (contract 14): the access line of every /v1 call and, when
 * an OTLP endpoint is configured, its server and upstream spans. Both observe calls where they
 * end, at settlement.
 */
@Module({
  imports: [GovernanceCoreModule],
  providers: [AccessLogObserver, CALL_TRACER_PROVIDER, TraceSettlementObserver],
  // The application factory installs the tracing hook with it.
  exports: [CallTracer],
})
export class ObservabilityModule {}
