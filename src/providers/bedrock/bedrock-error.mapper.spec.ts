import {
  BedrockRuntimeServiceException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { ErrorCode } from '../../common/errors/error-code.js';
import {
  asBedrockException,
  type BedrockException,
  bedrockExceptionError,
  transportFailure,
} from './bedrock-error.mapper.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function mapped(exception: BedrockException | undefined) {
  if (exception === undefined) throw new Error('not recognised as a Bedrock exception');
  const error = bedrockExceptionError(exception, 'bedrock');
  if (error === undefined) throw new Error(`${exception.name} not mapped`);
  return error;
}

/** What the SDK builds for an exception it does not model (e.g. UnrecognizedClientException). */
function unmodelled(name: string, status: number, message: string): Error {
  return new BedrockRuntimeServiceException({
    name,
    $fault: 'client',
    message,
    ...metadata(status),
  });
}

describe(asBedrockException.name, () => {
  it('reads the name, status and message of an SDK service exception', () => {
    const error = new ThrottlingException({ message: 'Too many requests', ...metadata(429) });
    expect(asBedrockException(error)).toEqual({
      name: 'ThrottlingException',
      message: 'Too many requests',
      status: 429,
      headers: {},
    });
  });

  it('capitalises an exception frame the SDK does not model, and has no status for it', () => {
    const error = Object.assign(new Error('{"message":"new"}'), { name: 'futureStreamException' });
    expect(asBedrockException(error)).toMatchObject({ name: 'FutureStreamException' });
    expect(asBedrockException(error)).not.toHaveProperty('status');
  });

  it('is not fooled by transport errors', () => {
    expect(
      asBedrockException(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(asBedrockException('text')).toBeUndefined();
  });
});

describe(bedrockExceptionError.name, () => {
  it('maps throttling to 429 provider_rate_limited, retryable', () => {
    const error = mapped(
      asBedrockException(new ThrottlingException({ message: 'slow down', ...metadata(429) })),
    );
    expect(error).toMatchObject({
      status: 429,
      code: ErrorCode.ProviderRateLimited,
      retryable: true,
    });
    expect(error.message).toContain('ThrottlingException');
  });

  it('maps an exhausted quota to 429 that retrying will not fix', () => {
    const error = mapped(
      asBedrockException(new ServiceQuotaExceededException({ message: 'quota', ...metadata(400) })),
    );
    expect(error).toMatchObject({
      status: 429,
      code: ErrorCode.ProviderRateLimited,
      retryable: false,
    });
  });

  it.each([
    ['ValidationException', 400],
    ['ResourceNotFoundException', 404],
  ])('maps %s to 400 provider_rejected_request without echoing Bedrock', (name, status) => {
    const error = mapped(asBedrockException(unmodelled(name, status, 'secret prompt detail')));
    expect(error).toMatchObject({ status: 400, code: ErrorCode.ProviderRejectedRequest });
    expect(error.message).not.toContain('secret prompt detail');
  });

  it.each([
    'AccessDeniedException',
    'UnrecognizedClientException',
    'ExpiredTokenException',
    'InvalidSignatureException',
  ])('maps %s to 502 credential refused', (name) => {
    const error = mapped(asBedrockException(unmodelled(name, 403, 'nope')));
    expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: false });
    expect(error.message).toMatch(/credential/);
  });

  it.each([
    new ModelNotReadyException({ message: 'loading', ...metadata(429) }),
    unmodelled('ServiceUnavailableException', 503, 'busy'),
    unmodelled('InternalServerException', 500, 'oops'),
    unmodelled('ModelTimeoutException', 408, 'slow'),
    new ModelStreamErrorException({ message: 'stream broke', $metadata: {} }),
  ])('maps %p to 502 provider_error, retryable', (exception) => {
    const error = mapped(asBedrockException(exception));
    expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
  });

  it('leaves a name it does not know to the status mapping', () => {
    const exception = asBedrockException(unmodelled('BrandNewException', 418, 'teapot'))!;
    expect(bedrockExceptionError(exception, 'bedrock')).toBeUndefined();
    expect(exception.status).toBe(418);
  });

  it('keeps a validation exception the SDK models', () => {
    const error = mapped(
      asBedrockException(new ValidationException({ message: 'bad', ...metadata(400) })),
    );
    expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
  });
});

describe(transportFailure.name, () => {
  it.each([
    [Object.assign(new Error('connect timeout'), { name: 'TimeoutError' }), 'timeout'],
    [
      Object.assign(new Error('request timeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      'timeout',
    ],
    [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'unreachable'],
    [new AggregateError([Object.assign(new Error('x'), { code: 'ENOTFOUND' })]), 'unreachable'],
    [
      Object.assign(new Error('reset'), { name: 'TimeoutError', code: 'ECONNRESET' }),
      'connection_lost',
    ],
    [Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'aborted'],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9'), 'unreachable'],
    [new Error('Unexpected ERROR token in JSON'), 'malformed_response'],
    [new SyntaxError('Unexpected token < in JSON'), 'malformed_response'],
  ])('classifies %p as %s', (error, kind) => {
    expect(transportFailure(error).kind).toBe(kind);
  });
});
