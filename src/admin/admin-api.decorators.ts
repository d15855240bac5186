import { applyDecorators, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AdminActor } from './admin-events.service.js';
import { AdminTokenGuard } from './admin-token.guard.js';
import { AdminErrorView } from './dto/admin-error.view.js';

/** The security scheme name of the admin token in the OpenAPI document. */
export const ADMIN_TOKEN_SCHEME = 'admin-token';

/** What every admin controller shares: the admin token, and the errors it and validation give. */
export const AdminApi = () =>
  applyDecorators(
    UseGuards(AdminTokenGuard),
    ApiBearerAuth(ADMIN_TOKEN_SCHEME),
    ApiUnauthorizedResponse({
      type: AdminErrorView,
      description: '`admin_token_required` (no token sent) or `invalid_admin_token`.',
    }),
    ApiNotFoundResponse({
      type: AdminErrorView,
      description:
        '`admin_api_disabled` (GATEWAY_ADMIN_TOKEN is not set), `tenant_not_found` or `api_key_not_found`.',
    }),
    ApiBadRequestResponse({
      type: AdminErrorView,
      description:
        '`validation_error` (with `param`), `invalid_json`, `invalid_request`, or `unsupported_capability` for an unknown field.',
    }),
  );

/** Changes made through the admin API are recorded with the request's trace id. */
export function actorOf(request: FastifyRequest): AdminActor {
  return { via: 'admin-api', traceId: request.id };
}
