import { type DynamicModule, Module } from '@nestjs/common';
import { AdminCoreModule } from '../admin/admin-core.module.js';
import { MeteringAdminModule } from '../admin/metering/metering-admin.module.js';
import { PoliciesAdminModule } from '../admin/policies-admin.module.js';
import { GatewayConfigModule } from '../config/gateway-config.module.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { AuditModule } from '../governance/audit/audit.module.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { StorageModule } from '../storage/storage.module.js';

/**
 * What the CLI boots (an application context, no HTTP server): the gateway's configuration,
 * storage (migrated at start-up, SQLite or PostgreSQL) and the administration services, so a
 * command changes exactly what the admin API would, recorded the same way. The provider registry
 * (adapters only, nothing is called) lets a policy dry-run pick the target a real call would.
 */
@Module({})
export class CliModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        GatewayConfigModule.forRoot(config),
        StorageModule,
        // A writer of its own: the CLI's admin changes are audited like the admin API's.
        AuditModule.forRoot('cli'),
        ProvidersModule.forRoot(config),
        AdminCoreModule,
        PoliciesAdminModule,
        MeteringAdminModule,
      ],
    };
  }
}
