import { ErrorCode } from './error-code.js';
import { toErrorEnvelope } from './error-envelope.js';
import { ErrorEnvelopes } from './error-envelopes.js';
import { GatewayError } from './gateway-error.js';
import { toMessagesErrorEnvelope } from './messages-error-envelope.js';

describe(toMessagesErrorEnvelope.name, () => {
  it.each([
    [ErrorCode.ValidationError, 'invalid_request_error'],
    [ErrorCode.PiiDetected, 'invalid_request_error'],
    [ErrorCode.InvalidApiKey, 'authentication_error'],
    [ErrorCode.BudgetCapHard, 'billing_error'],
    [ErrorCode.PolicyDenied, 'permission_error'],
    [ErrorCode.DataResidencyViolation, 'permission_error'],
    [ErrorCode.ResourceNotFound, 'not_found_error'],
    [ErrorCode.RequestTooLarge, 'request_too_large'],
    [ErrorCode.RateLimitExceeded, 'rate_limit_error'],
    [ErrorCode.ProviderRateLimited, 'rate_limit_error'],
    [ErrorCode.InternalError, 'api_error'],
    [ErrorCode.ProviderError, 'api_error'],
    [ErrorCode.ProviderCircuitOpen, 'overloaded_error'],
  ])('renders %s as %s, with the trace id as request_id', (code, type) => {
    expect(toMessagesErrorEnvelope(new GatewayError(code, 'why'), 'trace-1')).toEqual({
      type: 'error',
      error: { type, message: 'why' },
      request_id: 'trace-1',
    });
  });
});

describe('toMessagesErrorEnvelope with a native error', () => {
  it('renders the type and message a native upstream stated', () => {
    const error = new GatewayError(ErrorCode.ProviderError, 'gateway words', {
      details: { messages_error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    expect(toMessagesErrorEnvelope(error, 't')).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: 't',
    });
  });
});

describe(ErrorEnvelopes.name, () => {
  it('picks an envelope by path, at and under the route, and the OpenAI one elsewhere', () => {
    const envelopes = new ErrorEnvelopes([
      { path: '/v1/messages', render: toMessagesErrorEnvelope },
    ]);
    expect(envelopes.rendererFor('/v1/messages')).toBe(toMessagesErrorEnvelope);
    expect(envelopes.rendererFor('/v1/messages/count_tokens')).toBe(toMessagesErrorEnvelope);
    expect(envelopes.rendererFor('/v1/messagesx')).toBe(toErrorEnvelope);
    expect(envelopes.rendererFor('/v1/chat/completions')).toBe(toErrorEnvelope);
  });
});
