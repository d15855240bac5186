import { ApiProperty } from '@nestjs/swagger';
import { POLICY_STATUSES, type PolicyStatus } from '../../governance/policy/policy.types.js';

export const POLICY_SOURCES = ['config', 'bootstrap', 'api'] as const;

/** A policy as the admin API shows it, whatever its source. */
export class PolicyView {
  @ApiProperty({ enum: ['policy'] })
  object!: 'policy';

  @ApiProperty({ example: 'no-preview-models' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'acme',
    description: 'The tenant it governs; null: a global policy (every tenant).',
  })
  tenant!: string | null;

  @ApiProperty({
    enum: POLICY_STATUSES,
    description:
      '`ACTIVE` enforced; `SHADOW` evaluated and recorded, never enforced; `DRAFT` stored only.',
  })
  status!: PolicyStatus;

  @ApiProperty({
    description: 'The policy DSL, YAML text.',
    example:
      'rules:\n  - id: no-turbo\n    conditions:\n      model: { denylist: ["gpt-4-turbo*"] }\n',
  })
  dsl!: string;

  @ApiProperty({
    enum: POLICY_SOURCES,
    description:
      '`config`: `gateway.policies` in configuration; `bootstrap`: the bootstrap file; `api`: ' +
      'the admin API or the CLI.',
  })
  source!: (typeof POLICY_SOURCES)[number];

  @ApiProperty({
    description:
      'Configuration and bootstrap-file policies cannot be changed through the API (409 `policy_read_only`).',
  })
  read_only!: boolean;

  @ApiProperty({
    format: 'date-time',
    description: 'For a configuration policy: when this process loaded its configuration.',
  })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}
