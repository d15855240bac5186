import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request body, or undefined when none was sent. Unlike `@Body()`, the global request pipe
 * does not require it; validate it with `new AdminInputPipe(Dto, { optionalBody: true })`.
 */
export const OptionalBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToHttp().getRequest<FastifyRequest>().body,
);
