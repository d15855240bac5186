import { zodBody } from '../../../common/validation/zod-body.js';
import {
  type CountTokensRequest,
  countTokensRequestSchema,
  type MessagesRequest,
  messagesRequestSchema,
} from './messages-request.schema.js';

/** The body of `POST /v1/messages`. */
export const MessagesRequestDto = zodBody<MessagesRequest>(
  'MessagesRequestDto',
  messagesRequestSchema,
);

/** The body of `POST /v1/messages/count_tokens`. */
export const CountTokensRequestDto = zodBody<CountTokensRequest>(
  'CountTokensRequestDto',
  countTokensRequestSchema,
);
