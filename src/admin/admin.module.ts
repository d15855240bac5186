import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { processEnvironment } from '../config/environment.js';
import { AdminCoreModule } from './admin-core.module.js';
import { AdminOpenApiController } from './admin-openapi.controller.js';
import { ADMIN_OPENAPI_MODULES, AdminOpenApiService } from './admin-openapi.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { AuditAdminController } from './audit-admin.controller.js';
import { AuditAdminService } from './audit-admin.service.js';
import { BootstrapBudgetsService } from './bootstrap/bootstrap-budgets.service.js';
import { BootstrapPoliciesService } from './bootstrap/bootstrap-policies.service.js';
import { BootstrapConsole, StdoutBootstrapConsole } from './bootstrap/bootstrap.console.js';
import { BOOTSTRAP_ENVIRONMENT, BootstrapService } from './bootstrap/bootstrap.service.js';
import { KeysAdminController } from './keys-admin.controller.js';
import { ActivityAdminController } from './metering/activity-admin.controller.js';
import { ActivityAdminService } from './metering/activity-admin.service.js';
import { BudgetsAdminController } from './metering/budgets-admin.controller.js';
import { MeteringAdminModule } from './metering/metering-admin.module.js';
import { PricingAdminController } from './metering/pricing-admin.controller.js';
import { SpendAdminController } from './metering/spend-admin.controller.js';
import { PoliciesAdminController } from './policies-admin.controller.js';
import { PoliciesAdminModule } from './policies-admin.module.js';
import { TenantsAdminController } from './tenants-admin.controller.js';

/** Shorter admin tokens are accepted, with a warning: they can be guessed. */
const MIN_TOKEN_LENGTH = 24;

/**
 * The management API under /v1/admin (contract sections 7, 10, 11 and 12), its OpenAPI document,
 * and the bootstrap file applied at start-up.
 */
@Module({
  imports: [AdminCoreModule, PoliciesAdminModule, MeteringAdminModule],
  controllers: [
    TenantsAdminController,
    KeysAdminController,
    PoliciesAdminController,
    AuditAdminController,
    BudgetsAdminController,
    PricingAdminController,
    SpendAdminController,
    ActivityAdminController,
    AdminOpenApiController,
  ],
  providers: [
    AdminTokenGuard,
    AuditAdminService,
    ActivityAdminService,
    AdminOpenApiService,
    { provide: ADMIN_OPENAPI_MODULES, useFactory: () => [AdminModule] },
    BootstrapService,
    BootstrapPoliciesService,
    BootstrapBudgetsService,
    { provide: BootstrapConsole, useClass: StdoutBootstrapConsole },
    { provide: BOOTSTRAP_ENVIRONMENT, useFactory: processEnvironment },
  ],
})
export class AdminModule implements OnApplicationBootstrap {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onApplicationBootstrap(): void {
    const logger = new Logger('AdminApi');
    const token = this.config.admin.token.trim();
    if (token === '') {
      logger.log('The admin API is off: set GATEWAY_ADMIN_TOKEN to turn it on.');
    } else if (token.length < MIN_TOKEN_LENGTH) {
      logger.warn(
        `GATEWAY_ADMIN_TOKEN is shorter than ${MIN_TOKEN_LENGTH} characters: use a long random secret (openssl rand -hex 32).`,
      );
    }
  }
}
