import { Module } from '@nestjs/common';
import { ImageFetcher } from './image-fetcher.js';
import { UpstreamHttpClient } from './upstream-http.client.js';

/** The shared upstream HTTP client (and image fetcher); every vendor module imports this one. */
@Module({
  providers: [UpstreamHttpClient, ImageFetcher],
  exports: [UpstreamHttpClient, ImageFetcher],
})
export class UpstreamHttpModule {}
