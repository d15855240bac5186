import { zodBody } from '../../../common/validation/zod-body.js';
import { type ResponsesRequest, responsesRequestSchema } from './responses-request.schema.js';

/** The body of `POST /v1/responses`. */
export const ResponsesRequestDto = zodBody<ResponsesRequest>(
  'ResponsesRequestDto',
  responsesRequestSchema,
);
