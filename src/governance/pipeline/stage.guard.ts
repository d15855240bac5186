import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from './governance-request.js';
import type { GovernanceStage } from './governance-stage.js';

/** Runs one request-side stage for a guard: skipped when idle, refusals thrown as they are. */
export function runStage(
  stage: GovernanceStage,
  execution: ExecutionContext,
): boolean | Promise<boolean> {
  if (!stage.active) return true;
  const context = contextOf(execution.switchToHttp().getRequest<FastifyRequest>());
  const admitted = stage.admit(context);
  return admitted instanceof Promise ? admitted.then(() => true) : true;
}
