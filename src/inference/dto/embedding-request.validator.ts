import {
  all,
  custom,
  isIn,
  isInt,
  isNotEmpty,
  isString,
  max,
  maxLength,
  min,
  objectShape,
  optional,
} from '../../common/validation/object-shape.js';
import { embeddingInputProblem, modelIdProblem } from './openai-shape.validators.js';

/**
 * The body of POST /v1/embeddings, as `EmbeddingRequestDto` validates it (see object-shape.ts:
 * fields in declaration order, each field's decorators read from the bottom up).
 */
export const checkEmbeddingRequest = objectShape('EmbeddingRequestDto', {
  model: all(maxLength(256), isNotEmpty(), isString(), custom(modelIdProblem)),
  input: custom(embeddingInputProblem),
  encoding_format: optional(isIn(['float', 'base64'])),
  dimensions: optional(max(8192), min(1), isInt()),
  user: optional(maxLength(512), isString()),
});
