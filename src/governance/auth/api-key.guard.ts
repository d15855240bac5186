import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ApiKeyVerifier } from './api-key.verifier.js';

/** The tenant keyless calls run as when `gateway.auth.required` is off (the dev profile). */
export const DEFAULT_TENANT = 'default';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API key guard; every later stage reads the caller's tenant from here. */
    tenantId?: string;
    keyId?: string;
  }
}

/**
 * Authenticates /v1 calls by `Authorization: Bearer <key>` or `x-api-key` (contract section 7).
 * With `gateway.auth.required` off, keyless calls run as tenant `default`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly required: boolean;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly verifier: ApiKeyVerifier,
  ) {
    this.required = config.auth.required;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.required) {
      request.tenantId = DEFAULT_TENANT;
      return true;
    }
    const key = presentedKey(request);
    if (key === undefined) {
      throw new GatewayError(
        ErrorCode.ApiKeyRequired,
        "An API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
      );
    }
    const identity = await this.verifier.verify(key);
    if (!identity) throw new GatewayError(ErrorCode.InvalidApiKey, 'The API key is not valid.');
    request.tenantId = identity.tenantId;
    request.keyId = identity.keyId;
    return true;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}
