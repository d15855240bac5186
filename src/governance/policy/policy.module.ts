import { Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { PolicyChangeBus } from './policy-change.bus.js';
import { POLICY_CATALOG, policyCatalog } from './policy-catalog.js';
import { PolicyDryRun } from './policy-dry-run.service.js';
import { PolicyEnforcer } from './policy.enforcer.js';
import { PolicyRegistry } from './policy.registry.js';

/**
 * Policies (contract 10): the registry of compiled rules (configuration, bootstrap file and
 * admin API, hot-reloaded on every replica), the enforcer the pipeline's policy stage and
 * routing's per-target check use, and the dry-run. Needs the global configuration and storage.
 */
@Module({
  providers: [
    {
      provide: POLICY_CATALOG,
      useFactory: (config: GatewayConfig) => policyCatalog(config),
      inject: [GATEWAY_CONFIG],
    },
    PolicyChangeBus,
    PolicyRegistry,
    PolicyEnforcer,
    PolicyDryRun,
  ],
  exports: [PolicyRegistry, PolicyEnforcer, PolicyDryRun],
})
export class PolicyModule {}
