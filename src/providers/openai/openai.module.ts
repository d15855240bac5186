import { Module } from '@nestjs/common';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import { OpenAiAdapter } from './openai.adapter.js';

/** The OpenAI provider: registered by `ProvidersModule` only when an API key is configured. */
@Module({
  imports: [UpstreamHttpModule],
  providers: [OpenAiAdapter],
  exports: [OpenAiAdapter],
})
export class OpenAiModule {}
