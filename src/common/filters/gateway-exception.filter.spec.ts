import { jest } from '@jest/globals';
import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';
import { RouteTable } from '../http/route-table.js';
import { GatewayExceptionFilter } from './gateway-exception.filter.js';

interface Captured {
  status?: number;
  headers: Record<string, string>;
  body?: unknown;
}

function harness(routes: Record<string, string[]> = {}) {
  const captured: Captured = { headers: {} };
  const reply = {
    sent: false,
    raw: { headersSent: false, writableEnded: false, end: jest.fn() },
    status(code: number) {
      captured.status = code;
      return this;
    },
    headers(h: Record<string, string>) {
      Object.assign(captured.headers, h);
      return this;
    },
    type(t: string) {
      captured.headers['content-type'] = t;
      return this;
    },
    send(body: unknown) {
      captured.body = body;
      return this;
    },
  };
  const table = new RouteTable();
  for (const [url, methods] of Object.entries(routes)) table.add(url, methods);
  const filter = new GatewayExceptionFilter(table);
  const run = (exception: unknown, method = 'POST', url = '/v1/chat/completions') => {
    const request = { id: 'trace-123', method, url };
    // Fastify's reply knows its request (settlement reads the error the call ended with there).
    Object.assign(reply, { request });
    const host = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    } as unknown as ArgumentsHost;
    filter.catch(exception, host);
    return captured;
  };
  return { run, reply };
}

const envelope = (c: Captured) => (c.body as { error: Record<string, unknown> }).error;

describe(GatewayExceptionFilter.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('renders a GatewayError as the OpenAI envelope with trace id and param', () => {
    const c = harness().run(
      new GatewayError(ErrorCode.ValidationError, 'temperature must be <= 2', {
        param: 'temperature',
      }),
    );
    expect(c.status).toBe(400);
    expect(c.body).toEqual({
      error: {
        message: 'temperature must be <= 2',
        type: 'invalid_request_error',
        code: 'validation_error',
        param: 'temperature',
        trace_id: 'trace-123',
      },
    });
  });

  it('always includes param, null when no field is at fault', () => {
    const c = harness().run(new GatewayError(ErrorCode.ProviderError, 'upstream failed'));
    expect(c.status).toBe(502);
    expect(envelope(c)).toHaveProperty('param', null);
    expect(envelope(c).type).toBe('provider_error');
  });

  it('sends Retry-After for provider rate limits', () => {
    const c = harness().run(
      new GatewayError(ErrorCode.ProviderRateLimited, 'slow down', { retryAfterSeconds: 6.2 }),
    );
    expect(c.status).toBe(429);
    expect(c.headers['retry-after']).toBe('7');
    expect(envelope(c).type).toBe('provider_rate_limited');
  });

  it("adds an error's details beside the standard fields, never over them", () => {
    const c = harness().run(
      new GatewayError(ErrorCode.RateLimitExceeded, 'slow down', {
        retryAfterSeconds: 3,
        details: { rate_limit: { limit: 20 }, code: 'overridden?', trace_id: 'forged' },
      }),
    );
    expect(c.status).toBe(429);
    expect(c.headers['retry-after']).toBe('3');
    expect(c.body).toEqual({
      error: {
        message: 'slow down',
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
        param: null,
        trace_id: 'trace-123',
        rate_limit: { limit: 20 },
      },
    });
  });

  it('turns an unknown error into internal_error without its message or stack', () => {
    const secret = new Error('connect failed for sk-live-SECRET at /srv/app.js:12');
    const c = harness().run(secret);
    expect(c.status).toBe(500);
    expect(envelope(c).code).toBe('internal_error');
    expect(envelope(c).type).toBe('gateway_error');
    expect(JSON.stringify(c.body)).not.toContain('SECRET');
    expect(JSON.stringify(c.body)).not.toContain('app.js');
  });

  it('maps an unknown path under /v1 to resource_not_found and elsewhere to not_found', () => {
    const api = harness().run(new NotFoundException(), 'GET', '/v1/nope?x=1');
    expect(api.status).toBe(404);
    expect(envelope(api).code).toBe('resource_not_found');
    const other = harness().run(new NotFoundException(), 'GET', '/nope');
    expect(envelope(other).code).toBe('not_found');
    expect(envelope(other).type).toBe('not_found_error');
  });

  it('turns a wrong method on a known path into 405 with Allow', () => {
    const c = harness({ '/v1/chat/completions': ['POST'] }).run(
      new NotFoundException(),
      'GET',
      '/v1/chat/completions',
    );
    expect(c.status).toBe(405);
    expect(c.headers.allow).toBe('POST');
    expect(envelope(c).code).toBe('method_not_allowed');
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid_json'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'request_too_large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_BAD_URL', 400, 'invalid_path'],
  ])("maps Fastify's %s to %d %s", (code, status, expected) => {
    const cause = Object.assign(new Error('fastify said no'), { code, statusCode: status });
    const c = harness().run(new HttpException('fastify said no', status, { cause }));
    expect(c.status).toBe(status);
    expect(envelope(c).code).toBe(expected);
  });

  it("maps the JSON parser's SyntaxError to invalid_json", () => {
    const cause = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
    const c = harness().run(new HttpException('bad', 400, { cause }));
    expect(envelope(c).code).toBe('invalid_json');
  });

  it('maps other 4xx HttpExceptions to invalid_request', () => {
    const c = harness().run(new BadRequestException('nope'));
    expect(c.status).toBe(400);
    expect(envelope(c).code).toBe('invalid_request');
    expect(envelope(c).message).toBe('nope');
  });

  it('does not write a second response once a stream has started', () => {
    const { run, reply } = harness();
    reply.raw.headersSent = true;
    const c = run(new GatewayError(ErrorCode.ProviderError, 'late'));
    expect(c.body).toBeUndefined();
    expect(reply.raw.end).toHaveBeenCalled();
  });
});
