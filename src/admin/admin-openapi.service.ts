import {
  Inject,
  Injectable,
  type INestApplication,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_TOKEN_SCHEME } from './admin-api.decorators.js';

/** The modules whose controllers the document describes (the admin module, provided by itself). */
export const ADMIN_OPENAPI_MODULES = Symbol('ADMIN_OPENAPI_MODULES');

/**
 * Builds the admin API's OpenAPI document once, at start-up, with `@nestjs/swagger`.
 *
 * `SwaggerModule.createDocument` wants the application, which no provider can inject; it reads
 * only the module container, the application config (global prefix and versioning) and the HTTP
 * adapter's type from it. Those are handed over here: the modules and the adapter as Nest
 * provides them, and a default `ApplicationConfig`, which is exact because the gateway sets no
 * global prefix and no versioning (`app.factory.ts`).
 */
@Injectable()
export class AdminOpenApiService implements OnApplicationBootstrap {
  private document?: OpenAPIObject;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ADMIN_OPENAPI_MODULES) private readonly include: Type<unknown>[],
  ) {}

  onApplicationBootstrap(): void {
    this.document = this.build();
  }

  get(): OpenAPIObject {
    this.document ??= this.build();
    return this.document;
  }

  private build(): OpenAPIObject {
    const application = {
      container: { getModules: () => this.modules, isGlobalModule: () => false },
      config: new ApplicationConfig(),
      getHttpAdapter: () => this.adapterHost.httpAdapter,
    } as unknown as INestApplication;
    const config = new DocumentBuilder()
      .setTitle('LLM Governance Gateway: admin API')
      .setDescription(
        'Tenants, API keys and policies of the gateway. Every route needs the admin token ' +
          '(`Authorization: Bearer <GATEWAY_ADMIN_TOKEN>`); without GATEWAY_ADMIN_TOKEN the admin ' +
          'API is off and answers 404 `admin_api_disabled`. Errors use the gateway error envelope.',
      )
      .setVersion('v1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque',
          description: 'The value of GATEWAY_ADMIN_TOKEN.',
        },
        ADMIN_TOKEN_SCHEME,
      )
      .build();
    return SwaggerModule.createDocument(application, config, { include: this.include });
  }
}
