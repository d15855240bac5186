import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { POLICY_ID_PATTERN } from '../../governance/policy/dsl/policy-entry.parser.js';

/** `{id}` of /v1/admin/policies/{id}. */
export class PolicyIdParams {
  @ApiProperty({ pattern: '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}', example: 'no-preview-models' })
  @Matches(POLICY_ID_PATTERN, {
    message: '$property must be a policy id (letters, digits and . _ : -, at most 128)',
  })
  @IsString()
  id!: string;
}
