import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  malformedAnswerError,
  retryAfterSeconds,
  upstreamFailureError,
  upstreamStatusError,
  upstreamStreamError,
} from './upstream-errors.js';
import { UpstreamHttpError } from './upstream-http.error.js';

const context = { provider: 'acme', traceId: 'trace-123', secrets: ['sk-secret-key'] };
const NOW = Date.parse('2026-03-01T12:00:00Z');

function openAiEnvelope(message: string) {
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}

describe('upstream errors', () => {
  let warn: jest.Spied<Logger['warn']>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => warn.mockRestore());

  describe(upstreamStatusError.name, () => {
    it.each([400, 404, 413, 422])(
      'maps %i to 400 provider_rejected_request without echoing the upstream text',
      (status) => {
        const body = openAiEnvelope("Invalid value for 'temperature': my secret prompt");
        const error = upstreamStatusError(context, { status, headers: {}, body });

        expect(error).toBeInstanceOf(GatewayError);
        expect(error.status).toBe(400);
        expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
        expect(error.provider).toBe('acme');
        expect(error.retryable).toBe(false);
        expect(error.message).not.toContain('temperature');
        expect(error.message).not.toContain('secret prompt');
        expect(error.message).toContain(String(status));
      },
    );

    it('logs the upstream message at warn with the trace id, masking the API key', () => {
      const body = openAiEnvelope('Incorrect API key provided: sk-secret-key.');
      upstreamStatusError(context, { status: 401, headers: {}, body });

      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0][0]);
      expect(line).toContain('trace-123');
      expect(line).toContain('Incorrect API key provided: [redacted]');
      expect(line).not.toContain('sk-secret-key');
    });

    it.each([
      ['a nested error.message', { error: { message: 'nested reason' } }, 'nested reason'],
      ['a flat error string', { error: 'flat reason' }, 'flat reason'],
      ['a top-level message', { message: 'top reason' }, 'top reason'],
      ['plain text', 'text reason', 'text reason'],
      ['an unknown shape', { detail: 'odd' }, '{"detail":"odd"}'],
    ])('finds the reason to log in %s', (_name, body, expected) => {
      upstreamStatusError(context, { status: 400, headers: {}, body });
      expect(String(warn.mock.calls[0][0])).toContain(expected);
    });

    it('bounds what it logs', () => {
      upstreamStatusError(context, { status: 500, headers: {}, body: 'x'.repeat(10_000) });
      expect(String(warn.mock.calls[0][0]).length).toBeLessThan(1_000);
    });

    it.each([401, 403])('maps %i to 502 provider_error naming the refused credential', (status) => {
      const body = openAiEnvelope('Incorrect API key provided: sk-secret-key.');
      const error = upstreamStatusError(context, { status, headers: {}, body });

      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toContain("credential for provider 'acme' was refused");
      expect(error.message).not.toContain('sk-secret-key');
      expect(error.retryable).toBe(false);
    });

    it('maps 429 to provider_rate_limited with the retry-after seconds, retryable', () => {
      const error = upstreamStatusError(context, {
        status: 429,
        headers: { 'retry-after': '7' },
        body: openAiEnvelope('Rate limit reached'),
      });

      expect(error.status).toBe(429);
      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.type).toBe('provider_rate_limited');
      expect(error.retryAfterSeconds).toBe(7);
      expect(error.retryable).toBe(true);
      expect(error.provider).toBe('acme');
    });

    it('maps 429 without retry hints to a retryable error without retryAfterSeconds', () => {
      const error = upstreamStatusError(context, { status: 429, headers: {}, body: '' });
      expect(error.retryAfterSeconds).toBeUndefined();
      expect(error.retryable).toBe(true);
    });

    it('lets the adapter mark a 429 as not retryable (exhausted quota)', () => {
      const error = upstreamStatusError(
        context,
        { status: 429, headers: {}, body: '' },
        { retryable: false },
      );
      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.retryable).toBe(false);
    });

    it('takes the retry delay stated in the body when no header gives one', () => {
      const hinted = upstreamStatusError(
        context,
        { status: 429, headers: {}, body: '' },
        { retryAfterSeconds: 35 },
      );
      expect(hinted.retryAfterSeconds).toBe(35);
      expect(hinted.message).toContain('retry after 35 seconds');

      const headerWins = upstreamStatusError(
        context,
        { status: 429, headers: { 'retry-after': '7' }, body: '' },
        { retryAfterSeconds: 35 },
      );
      expect(headerWins.retryAfterSeconds).toBe(7);
    });

    it.each([408, 409, 500, 502, 503, 504, 529])('maps %i to retryable 502 provider_error', (s) => {
      const error = upstreamStatusError(context, { status: s, headers: {}, body: '' });
      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.retryable).toBe(true);
      expect(error.provider).toBe('acme');
    });

    it('honours x-should-retry: false', () => {
      const error = upstreamStatusError(context, {
        status: 503,
        headers: { 'x-should-retry': 'false' },
        body: '',
      });
      expect(error.retryable).toBe(false);
    });

    it('maps other statuses to a non-retryable provider_error', () => {
      const error = upstreamStatusError(context, { status: 302, headers: {}, body: '' });
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(false);
    });
  });

  describe(retryAfterSeconds.name, () => {
    it.each([
      ['delta seconds', { 'retry-after': '20' }, 20],
      ['fractional seconds, rounded up', { 'retry-after': '1.2' }, 2],
      ['zero', { 'retry-after': '0' }, 0],
      ['an HTTP date', { 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }, 30],
      ['an HTTP date in the past', { 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }, 0],
      [
        'retry-after-ms, preferred and rounded up',
        { 'retry-after-ms': '1500', 'retry-after': '9' },
        2,
      ],
      ['a repeated header', { 'retry-after': ['3', '4'] }, 3],
      ['garbage', { 'retry-after': 'soon' }, undefined],
      ['nothing', {}, undefined],
    ])('reads %s', (_name, headers, expected) => {
      expect(retryAfterSeconds(headers, NOW)).toBe(expected);
    });
  });

  describe(upstreamFailureError.name, () => {
    it('says "timed out" for a timeout', () => {
      const error = upstreamFailureError(
        context,
        new UpstreamHttpError('timeout', 'no complete answer within 30000 ms'),
      );
      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toContain('timed out');
      expect(error.retryable).toBe(true);
      expect(error.provider).toBe('acme');
    });

    it('says "unreachable" when no connection could be opened', () => {
      const error = upstreamFailureError(
        context,
        new UpstreamHttpError('unreachable', 'cannot connect (ECONNREFUSED)'),
      );
      expect(error.message).toContain('unreachable');
      expect(error.message).not.toContain('timed out');
      expect(error.retryable).toBe(true);
    });

    it('reports a broken connection and a malformed answer as provider_error', () => {
      const lost = upstreamFailureError(
        context,
        new UpstreamHttpError('connection_lost', 'connection failed (UND_ERR_SOCKET)'),
      );
      const malformed = upstreamFailureError(
        context,
        new UpstreamHttpError('malformed_response', 'answer body is not valid JSON'),
      );
      expect(lost.code).toBe(ErrorCode.ProviderError);
      expect(malformed.code).toBe(ErrorCode.ProviderError);
      expect(malformed.message).toContain('malformed answer');
    });

    it('passes a GatewayError through and reports anything else as internal_error', () => {
      const original = new GatewayError(ErrorCode.ProviderError, 'already mapped');
      expect(upstreamFailureError(context, original)).toBe(original);

      const bug = upstreamFailureError(context, new TypeError('x is undefined'));
      expect(bug.status).toBe(500);
      expect(bug.code).toBe(ErrorCode.InternalError);
      expect(bug.message).not.toContain('x is undefined');
    });
  });

  it('maps a malformed answer to provider_error naming the provider', () => {
    const error = malformedAnswerError(context, 'no choices');
    expect(error.status).toBe(502);
    expect(error.provider).toBe('acme');
    expect(error.message).toContain('no choices');
  });

  it('maps a mid-stream error frame to provider_error and logs its message', () => {
    const error = upstreamStreamError(context, openAiEnvelope('The server had an error'));
    expect(error.code).toBe(ErrorCode.ProviderError);
    expect(error.message).not.toContain('The server had an error');
    expect(String(warn.mock.calls[0][0])).toContain('The server had an error');
  });
});
