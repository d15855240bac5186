import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { GOVERNED_ROUTE, type GovernedRoute } from './governed-route.js';
import { contextOf } from './governance-request.js';
import { GovernanceStage, RATE_LIMIT_STAGE } from './governance-stage.js';

/**
 * Stage 3, rate limits (contract 8). It runs before body validation, so a call over its limit is
 * refused before its body costs anything and a call refused by validation still spent its request
 * permit. Unlike the later stages it hands the stage the body as parsed (the token reservation
 * reads the prompt and the output cap from it) and records the route's kind first. Routes without
 * a body (the model list) are not rate limited: they are not model calls.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly routes = new WeakMap<object, GovernedRoute | null>();

  constructor(
    @Inject(RATE_LIMIT_STAGE) private readonly stage: GovernanceStage,
    private readonly reflector: Reflector,
  ) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    if (!this.stage.active) return true;
    const route = this.routeOf(execution);
    if (route === null || route.body === undefined) return true;
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const context = contextOf(request);
    context.kind = route.kind;
    const admitted = this.stage.admit(context, request.body);
    return admitted instanceof Promise ? admitted.then(() => true) : true;
  }

  private routeOf(execution: ExecutionContext): GovernedRoute | null {
    const handler = execution.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      route = this.reflector.get<GovernedRoute | undefined>(GOVERNED_ROUTE, handler) ?? null;
      this.routes.set(handler, route);
    }
    return route;
  }
}
