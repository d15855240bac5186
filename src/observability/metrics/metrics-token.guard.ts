import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';

/**
 * Protects the metrics endpoint with `gateway.metrics.bearer-token` (GATEWAY_METRICS_TOKEN) when
 * one is set; without one the endpoint is open. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, so neither their content nor their length leaks through timing.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const token = config.metrics.bearerToken.trim();
    this.expected = token === '' ? undefined : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      throw new GatewayError(
        ErrorCode.MetricsTokenRequired,
        "The metrics endpoint needs its token: send 'Authorization: Bearer <GATEWAY_METRICS_TOKEN>'.",
      );
    }
    if (!timingSafeEqual(digest(presented), this.expected)) {
      throw new GatewayError(ErrorCode.InvalidMetricsToken, 'The metrics token is not valid.');
    }
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearerToken(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}
