import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { POLICY_ACTIONS } from '../../governance/policy/policy.types.js';

class MatchedRuleView {
  @ApiProperty({ example: 'no-preview-models', description: '`draft` for a draft DSL.' })
  policy_id!: string;

  @ApiProperty({ example: 'no-turbo' })
  rule_id!: string;

  @ApiProperty({ enum: POLICY_ACTIONS })
  action!: string;
}

class RouteToView {
  @ApiProperty({ example: 'openai' })
  provider!: string;

  @ApiPropertyOptional({ example: 'gpt-4o-mini' })
  model?: string;
}

/** What the policies (or a draft) would decide for a sample request; no provider is called. */
export class PolicyDryRunView {
  @ApiProperty({ enum: ['ALLOW', 'DENY', 'WARN', 'ROUTE'] })
  decision!: 'ALLOW' | 'DENY' | 'WARN' | 'ROUTE';

  @ApiProperty({
    type: () => [MatchedRuleView],
    description: 'Every matching rule in evaluation order, up to the deciding one.',
  })
  matched!: MatchedRuleView[];

  @ApiProperty({ type: String, nullable: true, description: 'DENY: the refusal message.' })
  message!: string | null;

  @ApiProperty({ type: [String], description: 'The messages of the matching WARN_AGENT rules.' })
  warnings!: string[];

  @ApiProperty({ type: () => RouteToView, nullable: true, description: 'ROUTE: the new target.' })
  route_to!: RouteToView | null;
}
