import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { installConsole } from './admin/console/console.installer.js';
import { AppModule } from './app.module.js';
import { ErrorCode } from './common/errors/error-code.js';
import { ErrorEnvelopes } from './common/errors/error-envelopes.js';
import { sendError } from './common/errors/error-response.js';
import { toMessagesErrorEnvelope } from './common/errors/messages-error-envelope.js';
import { GatewayError } from './common/errors/gateway-error.js';
import { GatewayExceptionFilter } from './common/filters/gateway-exception.filter.js';
import { nonCanonicalReason } from './common/http/path-hygiene.js';
import { RouteTable } from './common/http/route-table.js';
import { TRACE_ID_HEADER, traceIdFor } from './common/http/trace-id.js';
import { RequestValidationPipe } from './common/validation/request-validation.pipe.js';
import type { GatewayConfig } from './config/gateway-config.types.js';
import { CallSettlement } from './governance/pipeline/call-settlement.service.js';
import { installGovernanceHooks } from './governance/pipeline/governance.hooks.js';
import { CallTracer } from './observability/tracing/call-tracer.js';
import { installTracingHooks } from './observability/tracing/tracing.hooks.js';

/**
 * Builds the gateway application (not yet listening) exactly as production runs it; `main.ts`
 * and the end-to-end tests both use it, so the tests exercise the real HTTP stack.
 */
export async function createGatewayApp(
  config: GatewayConfig,
  logger: LoggerService | false,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.maxBodyBytes,
    genReqId: traceIdFor,
    requestIdHeader: false,
    logger: false,
    // Idle keep-alive sockets close at shutdown; busy ones (streams) may finish.
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger,
    abortOnError: false,
    // Fastify's own JSON parser (with prototype-poisoning protection and the body limit) is the
    // only one: anything that is not JSON is 415 unsupported_media_type.
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  const routes = new RouteTable();
  // The Messages ingress (contract 15) answers errors in the envelope its clients read.
  const envelopes = new ErrorEnvelopes([{ path: '/v1/messages', render: toMessagesErrorEnvelope }]);
  fastify.addHook('onRoute', (route) => routes.add(route.url, route.method));
  // First, so that every /v1 call, even one refused for its path, is settled once.
  installGovernanceHooks(fastify, app.get(CallSettlement));
  // Right after: the server span of every /v1 call opens on the context those hooks open.
  installTracingHooks(fastify, app.get(CallTracer));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(TRACE_ID_HEADER, request.id);
    const reason = nonCanonicalReason(request.url);
    if (reason === undefined) {
      done();
      return;
    }
    sendError(
      reply,
      new GatewayError(ErrorCode.InvalidPath, `The request path is not canonical (${reason}).`),
      request.id,
      envelopes.rendererFor(request.url.split('?')[0]),
    );
  });

  await installConsole(app, config);
  app.useGlobalFilters(new GatewayExceptionFilter(routes, envelopes));
  app.useGlobalPipes(new RequestValidationPipe());
  await app.init();
  return app;
}
