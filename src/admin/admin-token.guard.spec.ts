import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { AdminTokenGuard } from './admin-token.guard.js';

const TOKEN = 'admin-secret-0123456789abcdef';

function guardWith(token: string): AdminTokenGuard {
  return new AdminTokenGuard({ admin: { token } } as unknown as GatewayConfig);
}

function contextWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization } };
  return {
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function refusal(guard: AdminTokenGuard, authorization?: string): GatewayError {
  try {
    guard.canActivate(contextWith(authorization));
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('the guard let the request through');
}

describe(AdminTokenGuard.name, () => {
  it('says the admin API is off, and how to turn it on, when no token is configured', () => {
    const error = refusal(guardWith(''), `Bearer ${TOKEN}`);
    expect(error.code).toBe(ErrorCode.AdminApiDisabled);
    expect(error.status).toBe(404);
    expect(error.message).toContain('GATEWAY_ADMIN_TOKEN');
    expect(refusal(guardWith('   ')).code).toBe(ErrorCode.AdminApiDisabled);
  });

  it('asks for the token when none is sent, or not as a bearer token', () => {
    const guard = guardWith(TOKEN);
    expect(refusal(guard).code).toBe(ErrorCode.AdminTokenRequired);
    expect(refusal(guard, `Basic ${TOKEN}`).code).toBe(ErrorCode.AdminTokenRequired);
    expect(refusal(guard, 'Bearer ').code).toBe(ErrorCode.AdminTokenRequired);
    expect(refusal(guard).status).toBe(401);
  });

  it('refuses a wrong token, whatever its length', () => {
    const guard = guardWith(TOKEN);
    for (const wrong of ['x', TOKEN.slice(0, -1), `${TOKEN}0`, TOKEN.toUpperCase()]) {
      const error = refusal(guard, `Bearer ${wrong}`);
      expect(error.code).toBe(ErrorCode.InvalidAdminToken);
      expect(error.status).toBe(401);
      expect(error.message).not.toContain(wrong);
    }
  });

  it('lets the right token through (the scheme is case-insensitive)', () => {
    const guard = guardWith(TOKEN);
    expect(guard.canActivate(contextWith(`Bearer ${TOKEN}`))).toBe(true);
    expect(guard.canActivate(contextWith(`bearer ${TOKEN}`))).toBe(true);
  });
});
