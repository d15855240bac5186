import { Module } from '@nestjs/common';
import { GovernanceCoreModule } from '../governance/pipeline/governance-core.module.js';
import { AccessLogObserver } from './logging/access-log.observer.js';

/**
 * Logs and traces of the data plane (contract 14): the access line of every /v1 call and, when
 * an OTLP endpoint is configured, its server and upstream spans. Both observe calls where they
 * end, at settlement.
 */
@Module({
  imports: [GovernanceCoreModule],
  providers: [AccessLogObserver],
})
export class ObservabilityModule {}
