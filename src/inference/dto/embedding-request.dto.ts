import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CheckBodyWith } from '../../common/validation/body-check.decorator.js';
import type { EmbeddingRequest } from '../../providers/llm-provider.types.js';
import { checkEmbeddingRequest } from './embedding-request.validator.js';
import { IsEmbeddingInput, IsModelId } from './openai-shape.validators.js';

/**
 * POST /v1/embeddings. The request pipe validates it with {@link checkEmbeddingRequest}, which
 * must stay equivalent.
 */
@CheckBodyWith(checkEmbeddingRequest)
export class EmbeddingRequestDto implements EmbeddingRequest {
  @IsModelId()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  model!: string;

  @IsEmbeddingInput()
  input!: string | string[] | number[] | number[][];

  @IsOptional()
  @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  dimensions?: number;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  user?: string;
}
