import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';

/**
 * Guards /v1/admin with the bearer token of `gateway.admin.token` (GATEWAY_ADMIN_TOKEN). Without a
 * configured token the admin API is off and every route says so with 404 `admin_api_disabled`.
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`: equal lengths whatever was
 * presented, so neither the content nor the length of the token leaks through timing.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const token = config.admin.token.trim();
    this.expected = token === '' ? undefined : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw adminApiDisabled();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      throw new GatewayError(
        ErrorCode.AdminTokenRequired,
        "The admin API needs the admin token: send 'Authorization: Bearer <GATEWAY_ADMIN_TOKEN>'.",
      );
    }
    if (!timingSafeEqual(digest(presented), this.expected)) {
      throw new GatewayError(ErrorCode.InvalidAdminToken, 'The admin token is not valid.');
    }
    return true;
  }
}

/** The answer of every admin route while the admin API is off (no token configured). */
export function adminApiDisabled(): GatewayError {
  return new GatewayError(
    ErrorCode.AdminApiDisabled,
    'The admin API is off: set GATEWAY_ADMIN_TOKEN (gateway.admin.token) to a long random ' +
      'secret, e.g. `openssl rand -hex 32`, and restart the gateway to turn it on.',
  );
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearerToken(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
