import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { geminiStatusError, geminiStatusHints } from './gemini.errors.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

const context = { provider: 'gemini', traceId: 'trace-9', secrets: ['AIzaSecretKey'] };

describe(geminiStatusError.name, () => {
  let warn: jest.Spied<Logger['warn']>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => warn.mockRestore());

  it('maps RESOURCE_EXHAUSTED to 429 with the RetryInfo delay rounded up as Retry-After', () => {
    const error = geminiStatusError(context, {
      status: 429,
      headers: {},
      body: fixture('error-rate-limited.json'),
    });

    expect(error.status).toBe(429);
    expect(error.code).toBe(ErrorCode.ProviderRateLimited);
    expect(error.retryAfterSeconds).toBe(35);
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain('quota');
  });

  it('reads the envelope inside the array a non-SSE stream answers with', () => {
    expect(geminiStatusHints([fixture('error-rate-limited.json')])).toEqual({
      retryAfterSeconds: 35,
    });
  });

  it.each([
    ['2s', 2],
    ['0.5s', 1],
    ['120.000s', 120],
    ['soon', undefined],
  ])('reads retryDelay %s as %s seconds', (retryDelay, seconds) => {
    const body = {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }],
      },
    };
    expect(geminiStatusHints(body).retryAfterSeconds).toBe(seconds);
  });

  it("maps Google's 400 API_KEY_INVALID to 502 naming the gateway's credential", () => {
    const error = geminiStatusError(context, {
      status: 400,
      headers: {},
      body: fixture('error-api-key-invalid.json'),
    });

    expect(error.status).toBe(502);
    expect(error.code).toBe(ErrorCode.ProviderError);
    expect(error.message).toContain("credential for provider 'gemini' was refused");
    // The log line keeps the true upstream status and reason.
    expect(String(warn.mock.calls[0][0])).toContain('HTTP 400');
    expect(String(warn.mock.calls[0][0])).toContain('API key not valid');
  });

  it('maps any other 400 to provider_rejected_request without the upstream text', () => {
    const error = geminiStatusError(context, {
      status: 400,
      headers: {},
      body: {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: 'Unknown name "$schema" at generation_config.response_schema: my secret prompt',
        },
      },
    });
    expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
    expect(error.message).not.toContain('secret');
  });

  it('maps 503 UNAVAILABLE (overloaded) to a retryable 502', () => {
    const error = geminiStatusError(context, {
      status: 503,
      headers: {},
      body: { error: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' } },
    });
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
  });
});
