import { Controller, Get, Header, type Type, UseGuards } from '@nestjs/common';
import { GatewayMetrics } from './gateway.metrics.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/** prom-client's exposition format (`Registry.contentType` of a default registry). */
const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The Prometheus scrape endpoint at `gateway.metrics.path` (contract 14). The path is
 * configuration, and Nest reads a controller's path from its decorator, hence a class per path.
 */
export function metricsControllerAt(path: string): Type<unknown> {
  @Controller(path)
  @UseGuards(MetricsTokenGuard)
  class MetricsController {
    constructor(private readonly metrics: GatewayMetrics) {}

    @Get()
    @Header('content-type', EXPOSITION_CONTENT_TYPE)
    @Header('cache-control', 'no-store')
    scrape(): Promise<string> {
      return this.metrics.scrape();
    }
  }
  return MetricsController;
}
