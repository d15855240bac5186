import { IsOptionalNotNull } from './admin-input.validators.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { RateLimitsDto } from './rate-limits.dto.js';

/** PATCH /v1/admin/keys/{keyId}: every field optional. */
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'ci' })
  @IsOptionalNotNull()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    type: () => RateLimitsDto,
    nullable: true,
    description:
      "Replaces the key's own limits per minute (absent fields: the configured per-key " +
      'defaults); null returns the key to the defaults.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  @IsObject()
  rate_limits?: RateLimitsDto | null;
}
