import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** One year: a grace period longer than that is a second key, not a rotation. */
export const MAX_GRACE_SECONDS = 365 * 24 * 3600;

/** POST /v1/admin/keys/{keyId}/rotate (the body is optional). */
export class RotateApiKeyDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_GRACE_SECONDS,
    example: 3600,
    description:
      'How long the old key keeps working; `gateway.auth.rotation-grace-seconds` (default 86400) ' +
      'when absent, 0 to stop it at once.',
  })
  @IsOptional()
  @Max(MAX_GRACE_SECONDS)
  @Min(0)
  @IsInt()
  grace_seconds?: number;
}
