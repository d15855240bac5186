import type { FastifyRequest } from 'fastify';
import type { GatewayError } from '../errors/gateway-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The error this call was answered with, set where every error leaves the gateway (the one
     * filter, the path-hygiene hook, a stream's error frame), so whatever settles the call after
     * it ends knows how it ended without being told by each layer.
     */
    callError?: GatewayError;
  }
}

/** Records the error a call ends with; the first one recorded stands. */
export function recordCallError(request: FastifyRequest, error: GatewayError): void {
  request.callError ??= error;
}
