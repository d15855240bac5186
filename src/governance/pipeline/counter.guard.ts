import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from './governance-request.js';

/**
 * After stage 5: sends the counter steps the rate-limit and budget stages deferred (with Redis)
 * in one round trip, and lets each stage decide on its answer, rate limits first. Without Redis,
 * or without any limit or budget, nothing is pending and this reads one property.
 */
@Injectable()
export class CounterGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    const pending = contextOf(execution.switchToHttp().getRequest<FastifyRequest>()).counters;
    return pending === undefined ? true : pending.run().then(() => true);
  }
}
