import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { ApiKeyScope } from '../../storage/api-key.types.js';
import type { TenantFacts } from '../pipeline/governance-context.js';
import { contextOf } from '../pipeline/governance-request.js';
import { ApiKeyService } from './api-key.service.js';
import { REQUIRED_SCOPE } from './required-scope.decorator.js';

/** The tenant keyless calls run as when `gateway.auth.required` is off (dev and ci profiles). */
export const DEFAULT_TENANT = 'default';

/** Keyless calls' tenant as governance sees it: no region, no tags, installation defaults. */
const DEFAULT_TENANT_FACTS: TenantFacts = Object.freeze({
  id: DEFAULT_TENANT,
  region: null,
  tags: Object.freeze({}),
  settings: Object.freeze({}),
});

/**
 * Authenticates /v1 calls by `Authorization: Bearer <key>` or `x-api-key` (contract 4.7, 7): a
 * presented key must be valid in every profile; a missing one is refused unless
 * `gateway.auth.required` is off, when the call runs as tenant `default`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly required: boolean;
  /** Each route's scope, looked up once: metadata does not change after start-up. */
  private readonly scopes = new WeakMap<object, ApiKeyScope | null>();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly keys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {
    this.required = config.auth.required;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = presentedKey(request);
    if (key === undefined) {
      if (this.required) {
        throw new GatewayError(
          ErrorCode.ApiKeyRequired,
          "An API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
        );
      }
      contextOf(request).tenant = DEFAULT_TENANT_FACTS;
      return true;
    }
    const identity = await this.keys.verify(key);
    const scope = this.requiredScope(context);
    if (scope !== null && !identity.scopes.includes(scope)) {
      throw new GatewayError(
        ErrorCode.ApiKeyScope,
        `This API key lacks the '${scope}' scope this endpoint needs.`,
      );
    }
    const governance = contextOf(request);
    governance.tenant = identity.tenant;
    governance.keyId = identity.keyId;
    governance.scopes = identity.scopes;
    governance.keyRateLimits = identity.rateLimits;
    return true;
  }

  private requiredScope(context: ExecutionContext): ApiKeyScope | null {
    const handler = context.getHandler();
    let scope = this.scopes.get(handler);
    if (scope === undefined) {
      scope =
        this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [
          handler,
          context.getClass(),
        ]) ?? null;
      this.scopes.set(handler, scope);
    }
    return scope;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    // A malformed Authorization header is a presented key that cannot be valid.
    return match ? match[1] : authorization;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}
