import { Module } from '@nestjs/common';
import { AuthModule } from '../governance/auth/auth.module.js';
import { AdminEvents } from './admin-events.service.js';
import { KeysAdminService } from './keys-admin.service.js';
import { TenantsAdminService } from './tenants-admin.service.js';

/**
 * Tenant and key administration without any HTTP surface: the admin API, the bootstrap file and
 * the CLI all change things through these services, so every change is recorded the same way.
 * The repositories come from the global storage module.
 */
@Module({
  imports: [AuthModule],
  providers: [AdminEvents, TenantsAdminService, KeysAdminService],
  exports: [AdminEvents, TenantsAdminService, KeysAdminService],
})
export class AdminCoreModule {}
