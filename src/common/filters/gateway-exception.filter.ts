import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeError } from '../errors/error-normalizer.js';
import { ErrorEnvelopes } from '../errors/error-envelopes.js';
import { sendError } from '../errors/error-response.js';
import type { RouteTable } from '../http/route-table.js';

/**
 * The one exception filter: every failure of every layer (guards, pipes, handlers, Fastify's body
 * parser and router) leaves the gateway as the OpenAI error envelope of contract 4.4, or in the
 * envelope of the API the request's path speaks ({@link ErrorEnvelopes}: the Messages ingress).
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly routes: RouteTable,
    private readonly envelopes: ErrorEnvelopes = new ErrorEnvelopes(),
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const path = pathOf(request.url);
    const error = normalizeError(exception, {
      method: request.method,
      path,
      allowedMethods: this.routes.allowedMethods(path, request.method),
    });

    if (error.status >= 500) {
      this.logger.error({
        msg: error.message,
        trace_id: request.id,
        code: error.code,
        provider: error.provider,
        cause: describeCause(error.cause ?? exception),
      });
    } else {
      this.logger.debug({ msg: error.message, trace_id: request.id, code: error.code });
    }

    if (reply.sent || reply.raw.headersSent) {
      // A streamed answer already started; its own writer reports mid-stream failures.
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    sendError(reply, error, request.id, this.envelopes.rendererFor(path));
  }
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof Error)
    return { name: cause.name, message: cause.message, stack: cause.stack };
  return cause;
}
