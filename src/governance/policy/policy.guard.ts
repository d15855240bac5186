import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from '../pipeline/governance-request.js';
import { PolicyEnforcer } from './policy.enforcer.js';

/** Stage 7, policies (contract 8, 10): DENY refuses, WARN_AGENT warns, ROUTE pins the target. */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(private readonly enforcer: PolicyEnforcer) {}

  canActivate(execution: ExecutionContext): boolean {
    this.enforcer.checkRequest(contextOf(execution.switchToHttp().getRequest<FastifyRequest>()));
    return true;
  }
}
