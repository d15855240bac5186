import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { validateRequestBody } from '../../common/validation/request-validation.pipe.js';
import { costTags } from './cost-tags.js';
import { GOVERNED_ROUTE, type GovernedRoute } from './governed-route.js';
import { contextOf } from './governance-request.js';

/**
 * Stage 4, body validation (contract 8): the body is validated once, here, after authentication
 * and rate limits and before the stages that read it; the route's facts (cost tags included) are
 * taken from it once, and the controller receives the same object untouched. A route that
 * normalizes its body (another API's wire format) has the stages read the normalized form, in the
 * context; the controller still receives the body as sent.
 */
@Injectable()
export class BodyValidationGuard implements CanActivate {
  private readonly routes = new WeakMap<object, GovernedRoute | null>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeOf(execution);
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const context = contextOf(request);
    if (route === null) return true;
    context.kind = route.kind;
    if (route.body === undefined) return true;
    let body: object;
    try {
      body = validateRequestBody(route.body, request.body);
    } catch (error) {
      // Rate limits deferred to the call's Redis batch decide first: a call over its limit is
      // refused for that (stage 3), and one within it spent its request permit (contract 11.4).
      const pending = context.counters;
      if (pending === undefined) throw error;
      return pending.run().then(() => {
        throw error;
      });
    }
    request.body = body;
    const governed = route.normalize === undefined ? body : route.normalize(body);
    context.body = governed;
    context.facts = route.facts?.(governed);
    const header = request.headers['x-dvara-tags'];
    if (header !== undefined || context.facts?.metadataTags !== undefined) {
      context.tags = costTags(header, context.facts?.metadataTags);
    }
    return true;
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
