import { Module } from '@nestjs/common';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import { GeminiAdapter } from './gemini.adapter.js';

/** The Gemini provider: registered by `ProvidersModule` only when an API key is configured. */
@Module({
  imports: [UpstreamHttpModule],
  providers: [GeminiAdapter],
  exports: [GeminiAdapter],
})
export class GeminiModule {}
