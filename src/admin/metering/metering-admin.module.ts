import { Module } from '@nestjs/common';
import { MeteringModule } from '../../governance/metering/metering.module.js';
import { AdminCoreModule } from '../admin-core.module.js';
import { BudgetsAdminService } from './budgets-admin.service.js';
import { PricingAdminService } from './pricing-admin.service.js';
import { SpendAdminService } from './spend-admin.service.js';

/**
 * Budget, price and spend administration without any HTTP surface, for the admin API, the
 * bootstrap file and the CLI. Needs the global configuration and storage.
 */
@Module({
  imports: [MeteringModule, AdminCoreModule],
  providers: [BudgetsAdminService, PricingAdminService, SpendAdminService],
  exports: [BudgetsAdminService, PricingAdminService, SpendAdminService],
})
export class MeteringAdminModule {}
