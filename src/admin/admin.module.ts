import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { processEnvironment } from '../config/environment.js';
import { AdminCoreModule } from './admin-core.module.js';
import { AdminDisabledController } from './admin-disabled.controller.js';
import { BootstrapBudgetsService } from './bootstrap/bootstrap-budgets.service.js';
import { BootstrapPoliciesService } from './bootstrap/bootstrap-policies.service.js';
import { BootstrapConsole, StdoutBootstrapConsole } from './bootstrap/bootstrap.console.js';
import { BOOTSTRAP_ENVIRONMENT, BootstrapService } from './bootstrap/bootstrap.service.js';
import { MeteringAdminModule } from './metering/metering-admin.module.js';
import { PoliciesAdminModule } from './policies-admin.module.js';

/** Shorter admin tokens are accepted, with a warning: they can be guessed. */
const MIN_TOKEN_LENGTH = 24;

/**
 * Administration at start-up and over HTTP: the bootstrap file, applied at start-up, and the
 * management API under /v1/admin (`AdminApiModule`), loaded only when `gateway.admin.token` is
 * set. While it is off, one controller answers every /v1/admin path with 404
 * `admin_api_disabled`, and the API's controllers, DTOs and OpenAPI machinery are never loaded.
 */
@Module({})
export class AdminModule implements OnApplicationBootstrap {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  static forRoot(config: GatewayConfig): DynamicModule {
    const enabled = config.admin.token.trim() !== '';
    return {
      module: AdminModule,
      imports: [
        AdminCoreModule,
        PoliciesAdminModule,
        MeteringAdminModule,
        ...(enabled
          ? [
              import('./admin-api.module.js').then(({ AdminApiModule }): DynamicModule => ({
                module: AdminApiModule,
              })),
            ]
          : []),
      ],
      controllers: enabled ? [] : [AdminDisabledController],
      providers: [
        BootstrapService,
        BootstrapPoliciesService,
        BootstrapBudgetsService,
        { provide: BootstrapConsole, useClass: StdoutBootstrapConsole },
        { provide: BOOTSTRAP_ENVIRONMENT, useFactory: processEnvironment },
      ],
    };
  }

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
