import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ReadinessIndicators } from './readiness.indicators.js';

/**
 * Kubernetes probes. They answer terminus' own JSON (not the API error envelope): probes read
 * the status code, and operators read which check is down.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HealthCheck()
  live(@Res() reply: FastifyReply): Promise<void> {
    return this.run(reply, []);
  }

  /**
   * Ready for traffic: not draining, storage (and Redis when configured) answer, providers
   * registered, the audit queue below `max-queue`.
   */
  @Get('ready')
  @HealthCheck()
  ready(@Res() reply: FastifyReply): Promise<void> {
    return this.run(reply, [
      () => this.readiness.accepting(),
      () => this.readiness.database(),
      ...(this.readiness.redisConfigured ? [() => this.readiness.redis()] : []),
      () => this.readiness.providers(),
      () => this.readiness.auditQueue(),
    ]);
  }

  private async run(
    reply: FastifyReply,
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<void> {
    let result: HealthCheckResult;
    let status = 200;
    try {
      result = await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
      status = 503;
    }
    void reply.status(status).header('cache-control', 'no-store').send(result);
  }
}
