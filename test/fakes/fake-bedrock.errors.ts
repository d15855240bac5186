/**
 * Bedrock's error vocabulary for the fake (wire-formats 5.5): the documented status of each
 * exception name, a realistic default message, and the `x-amzn-ErrorType` header the SDK reads
 * the name from. Pure.
 */

/** Bedrock's status for each exception name it sends (wire-formats 5.5). */
export const STATUS_OF: Readonly<Record<string, number>> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceQuotaExceededException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

export const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  ValidationException: 'Malformed input request, please reformat your input and try again.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  UnrecognizedClientException: 'The security token included in the request is invalid.',
  ResourceNotFoundException:
    'Could not resolve the foundation model from the provided model identifier.',
  ModelTimeoutException: 'Model has timed out in processing the request. Try your request again.',
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready for inference. Wait and try your request again.',
  InternalServerException: 'The server encountered an internal error while processing the request.',
  ServiceUnavailableException: 'Bedrock is unable to process your request.',
};

/** The header the SDK takes the exception name from, with the namespace Bedrock appends. */
export function errorHeaders(errorType: string): Record<string, string> {
  return {
    'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  };
}
