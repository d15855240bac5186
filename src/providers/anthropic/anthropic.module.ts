import { Module } from '@nestjs/common';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import { AnthropicAdapter } from './anthropic.adapter.js';

/** The Anthropic provider: registered by `ProvidersModule` only when an API key is configured. */
@Module({
  imports: [UpstreamHttpModule],
  providers: [AnthropicAdapter],
  exports: [AnthropicAdapter],
})
export class AnthropicModule {}
