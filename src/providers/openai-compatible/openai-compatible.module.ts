import { type DynamicModule, type InjectionToken, Module, type Type } from '@nestjs/common';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import type { LlmProvider } from '../llm-provider.js';

/**
 * The Nest module of one OpenAI-compatible vendor: its adapter plus the shared HTTP client.
 * `ProvidersModule` imports it only when the vendor is activated.
 */
@Module({})
export class OpenAiCompatibleModule {
  /** A vendor whose adapter class is injectable (built-in vendors). */
  static forAdapter(adapter: Type<LlmProvider>): DynamicModule {
    return {
      module: OpenAiCompatibleModule,
      imports: [UpstreamHttpModule],
      providers: [adapter],
      exports: [adapter],
    };
  }

  /** A vendor built from configuration at start-up (custom providers), under its own token. */
  static forFactory(
    token: InjectionToken,
    build: (http: UpstreamHttpClient) => LlmProvider,
  ): DynamicModule {
    return {
      module: OpenAiCompatibleModule,
      imports: [UpstreamHttpModule],
      providers: [{ provide: token, useFactory: build, inject: [UpstreamHttpClient] }],
      exports: [token],
    };
  }
}
