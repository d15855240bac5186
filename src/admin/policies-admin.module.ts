import { Module } from '@nestjs/common';
import { PolicyModule } from '../governance/policy/policy.module.js';
import { PoliciesAdminService } from './policies-admin.service.js';
import { PolicyEvents } from './policy-events.service.js';

/**
 * Policy administration without any HTTP surface, for the admin API, the bootstrap file and the
 * CLI; re-exports the policy engine for the dry-run. Needs the global configuration and storage.
 */
@Module({
  imports: [PolicyModule],
  providers: [PolicyEvents, PoliciesAdminService],
  exports: [PolicyModule, PolicyEvents, PoliciesAdminService],
})
export class PoliciesAdminModule {}
