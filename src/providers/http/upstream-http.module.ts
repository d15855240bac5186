import { Module } from '@nestjs/common';
import { UpstreamHttpClient } from './upstream-http.client.js';

/** The shared upstream HTTP client; every vendor module imports this one. */
@Module({
  providers: [UpstreamHttpClient],
  exports: [UpstreamHttpClient],
})
export class UpstreamHttpModule {}
