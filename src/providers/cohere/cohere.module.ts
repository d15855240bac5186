import { Module } from '@nestjs/common';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import { CohereAdapter } from './cohere.adapter.js';

/** The Cohere provider: registered by `ProvidersModule` only when an API key is configured. */
@Module({
  imports: [UpstreamHttpModule],
  providers: [CohereAdapter],
  exports: [CohereAdapter],
})
export class CohereModule {}
