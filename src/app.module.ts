import { DynamicModule, Module } from '@nestjs/common';
import { GatewayConfigModule } from './config/gateway-config.module.js';
import type { GatewayConfig } from './config/gateway-config.types.js';
import { HealthModule } from './health/health.module.js';
import { InferenceModule } from './inference/inference.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { StorageModule } from './storage/storage.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './governance/audit/audit.module.js';
import { MetricsModule } from './observability/metrics/metrics.module.js';
import { ObservabilityModule } from './observability/observability.module.js';

/** Composition only: which modules make up the gateway, given its validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        StorageModule,
        // After storage: it resumes its chain from the database and flushes before it closes.
        AuditModule.forRoot('gateway'),
        ProvidersModule.forRoot(config),
        InferenceModule,
        HealthModule,
        AdminModule.forRoot(config),
        MetricsModule.forRoot(config),
        ObservabilityModule,
      ],
    };
  }
}
