import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

/** POST /v1/admin/policies/dry-run. */
export class PolicyDryRunDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'Hi' }] },
    description:
      'A sample chat request; `model` is required, `max_tokens`, `max_completion_tokens`, `tools` ' +
      'and replayed tool calls are read as a real call would be.',
  })
  @IsObject({ message: '$property must be a chat request object' })
  request!: Record<string, unknown>;

  @ApiPropertyOptional({
    pattern: SLUG_TEXT,
    description:
      'The tenant the request runs as (its region and tags feed the conditions); absent: the default tenant.',
  })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  tenant?: string;

  @ApiPropertyOptional({
    description:
      'A draft policy DSL to evaluate instead of the policies in force (its rules report `policy_id: draft`).',
  })
  @IsOptional()
  @IsNotEmpty()
  @IsString()
  dsl?: string;
}
