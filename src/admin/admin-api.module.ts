import { Module } from '@nestjs/common';
import { AdminCoreModule } from './admin-core.module.js';
import { AdminOpenApiController } from './admin-openapi.controller.js';
import { ADMIN_OPENAPI_MODULES, AdminOpenApiService } from './admin-openapi.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { AuditAdminController } from './audit-admin.controller.js';
import { AuditAdminService } from './audit-admin.service.js';
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

/**
 * The management API's HTTP surface under /v1/admin (contract sections 7, 10, 11 and 12) and its
 * OpenAPI document. Imported by `AdminModule` only when an admin token is configured: its
 * controllers, their DTOs and `@nestjs/swagger` stay out of memory while the admin API is off.
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
    { provide: ADMIN_OPENAPI_MODULES, useFactory: () => [AdminApiModule] },
  ],
})
export class AdminApiModule {}
