import { type DynamicModule, Global, Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { DatabaseTarget } from '../../storage/database-target.js';
import { DATABASE_TARGET } from '../../storage/database.types.js';
import { AuditTrail } from './audit-trail.service.js';
import { AUDIT_SETTINGS, type AuditRole, resolveAuditSettings } from './audit.settings.js';

/**
 * The audit trail (contract 12), one per process and available everywhere, like storage. Import
 * it after StorageModule: global modules start in import order and stop in reverse, so the chain
 * resumes from a migrated database and its last batch is committed before the database closes.
 */
@Global()
@Module({})
export class AuditModule {
  static forRoot(role: AuditRole): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        {
          provide: AUDIT_SETTINGS,
          useFactory: (config: GatewayConfig, target: DatabaseTarget) =>
            resolveAuditSettings(config, target, role),
          inject: [GATEWAY_CONFIG, DATABASE_TARGET],
        },
        AuditTrail,
      ],
      exports: [AuditTrail],
    };
  }
}
