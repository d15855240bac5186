import { Module } from '@nestjs/common';
import { UpstreamHttpModule } from '../http/upstream-http.module.js';
import { BedrockAdapter } from './bedrock.adapter.js';

/**
 * The Bedrock provider: registered by `ProvidersModule` only when enabled with credentials. It
 * talks to Bedrock through the AWS SDK (SigV4), so from the shared HTTP module it needs only the
 * image fetcher: Converse takes images as bytes.
 */
@Module({
  imports: [UpstreamHttpModule],
  providers: [BedrockAdapter],
  exports: [BedrockAdapter],
})
export class BedrockModule {}
