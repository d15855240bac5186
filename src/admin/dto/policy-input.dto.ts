import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POLICY_STATUSES, type PolicyStatus } from '../../governance/policy/policy.types.js';
import { SLUG_TEXT } from './admin-input.validators.js';

/**
 * The body of POST and PUT /v1/admin/policies: DVARA's policy entry. For the OpenAPI document
 * only: the policy engine validates the body itself (`policy_invalid` naming the field, with a hint
 * for the usual mistakes), exactly as it validates a configuration or bootstrap-file entry.
 */
export class PolicyInputDto {
  @ApiPropertyOptional({
    pattern: '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}',
    example: 'no-preview-models',
    description:
      "POST: generated when absent (`pol_` + 12 hex). PUT: the path's id; a different one is 400 `validation_error`.",
  })
  id?: string;

  @ApiPropertyOptional({
    pattern: SLUG_TEXT,
    example: 'acme',
    description: 'The tenant it governs (it must exist); absent: a global policy.',
  })
  tenant?: string;

  @ApiPropertyOptional({
    pattern: SLUG_TEXT,
    description: "DVARA's name for `tenant`.",
  })
  workspace?: string;

  @ApiPropertyOptional({
    enum: POLICY_STATUSES,
    default: 'ACTIVE',
    description: 'Case-insensitive.',
  })
  status?: PolicyStatus;

  @ApiProperty({
    description:
      'The policy DSL (contract 10), YAML text of at most 256 KiB; a JSON object is accepted and ' +
      'stored as its YAML.',
    example:
      'version: "1"\nrules:\n  - id: no-turbo\n    conditions:\n      model: { denylist: ["gpt-4-turbo*"] }\n    deny_message: Use gpt-4o.\n',
  })
  dsl!: string;
}
