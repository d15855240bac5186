import { Global, Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { AuditRepository } from './audit.repository.js';
import { BudgetRepository } from './budget.repository.js';
import { CredentialCipher } from './credential.cipher.js';
import { createDatabase } from './database.factory.js';
import { DatabaseLifecycle } from './database.lifecycle.js';
import { resolveDatabaseTarget, type DatabaseTarget } from './database-target.js';
import { DATABASE, DATABASE_TARGET, type GatewayDatabase } from './database.types.js';
import { KyselyApiKeyRepository } from './kysely-api-key.repository.js';
import { KyselyAuditRepository } from './kysely-audit.repository.js';
import { warnStorage } from './storage.logger.js';
import { KyselyBudgetRepository } from './kysely-budget.repository.js';
import { KyselyPolicyRepository } from './kysely-policy.repository.js';
import { KyselyPricingRepository } from './kysely-pricing.repository.js';
import { KyselyTenantRepository } from './kysely-tenant.repository.js';
import { KyselyUsageRepository } from './kysely-usage.repository.js';
import { PolicyRepository } from './policy.repository.js';
import { PricingRepository } from './pricing.repository.js';
import { RedisConnection } from './redis.connection.js';
import { StorageHealth } from './storage.health.js';
import { StoredVersionPoller } from './stored-version.poller.js';
import { TenantRepository } from './tenant.repository.js';
import { UsageRepository } from './usage.repository.js';

/**
 * The gateway's storage (contract section 12), available everywhere: the database (SQLite or
 * PostgreSQL, migrated at start-up) behind the repository ports, the credential cipher, the
 * optional Redis connection, and their readiness.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE_TARGET,
      useFactory: (config: GatewayConfig) => resolveDatabaseTarget(config.storage),
      inject: [GATEWAY_CONFIG],
    },
    {
      provide: DATABASE,
      useFactory: (target: DatabaseTarget) => createDatabase(target, warnStorage),
      inject: [DATABASE_TARGET],
    },
    {
      provide: CredentialCipher,
      useFactory: (config: GatewayConfig) =>
        CredentialCipher.fromSetting(config.security.encryptionKey),
      inject: [GATEWAY_CONFIG],
    },
    DatabaseLifecycle,
    RedisConnection,
    StorageHealth,
    StoredVersionPoller,
    { provide: TenantRepository, useClass: KyselyTenantRepository },
    { provide: ApiKeyRepository, useClass: KyselyApiKeyRepository },
    { provide: PolicyRepository, useClass: KyselyPolicyRepository },
    // A plain class (no Nest decorators): the audit worker thread uses it without loading Nest.
    {
      provide: AuditRepository,
      useFactory: (db: GatewayDatabase) => new KyselyAuditRepository(db),
      inject: [DATABASE],
    },
    { provide: BudgetRepository, useClass: KyselyBudgetRepository },
    { provide: PricingRepository, useClass: KyselyPricingRepository },
    { provide: UsageRepository, useClass: KyselyUsageRepository },
  ],
  exports: [
    DATABASE,
    DATABASE_TARGET,
    CredentialCipher,
    RedisConnection,
    StorageHealth,
    StoredVersionPoller,
    TenantRepository,
    ApiKeyRepository,
    PolicyRepository,
    AuditRepository,
    BudgetRepository,
    PricingRepository,
    UsageRepository,
  ],
})
export class StorageModule {}
