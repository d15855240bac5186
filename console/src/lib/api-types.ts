/** The admin API's JSON shapes the console reads (snake_case, as the API answers). */
export interface RateLimits {
  requests_per_minute?: number | null;
  tokens_per_minute?: number | null;
}

export interface Tenant {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  region: string | null;
  tags: Record<string, string>;
  settings: { rate_limits?: RateLimits | null; [name: string]: unknown };
  created_at: string;
}

export interface TenantList {
  data: Tenant[];
  has_more: boolean;
  last_id: string | null;
}

export interface ApiKey {
  id: string;
  tenant_id: string;
  name: string;
  masked_key: string;
  scopes: string[];
  status: 'active' | 'revoked' | 'expired';
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  replaced_by: string | null;
  rate_limits: RateLimits | null;
}

export interface IssuedKey extends ApiKey {
  key: string;
  warning: string;
}

export interface ActivitySums {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface Activity {
  from: string;
  to: string;
  bucket: 'minute' | 'hour' | 'day';
  truncated: boolean;
  series: Array<ActivitySums & { start: string }>;
  total: ActivitySums;
  top_tenants: Array<ActivitySums & { name: string }>;
  top_models: Array<ActivitySums & { name: string }>;
  top_keys: Array<ActivitySums & { name: string }>;
}

export type SpendRow = Record<string, string | number>;

export interface SpendReport {
  from: string;
  to: string;
  group_by: string[];
  data: SpendRow[];
  total: SpendRow;
}

export interface Budget {
  id: string;
  tenant: string;
  key_id: string | null;
  period: string;
  limit_usd: number;
  soft_limit_pct: number;
  enabled: boolean;
  source: string;
  read_only: boolean;
}

export interface BudgetUsage {
  budget_id: string;
  period_start: string;
  period_end: string;
  spent_usd: number;
  reserved_usd: number;
  limit_usd: number;
  remaining_usd: number;
  utilization_pct: number;
}

export interface Policy {
  id: string;
  tenant: string | null;
  status: 'ACTIVE' | 'SHADOW' | 'DRAFT';
  dsl: string;
  source: string;
  read_only: boolean;
  updated_at?: string;
}

export interface DryRun {
  decision: string;
  matched: Array<{ policy_id: string; rule_id: string; action: string }>;
  message: string | null;
  warnings: string[];
  route_to: { provider: string; model: string } | null;
}

export interface AuditRecord {
  seq: number;
  event_id: string;
  timestamp: string;
  writer: string;
  tenant: string | null;
  key_id: string | null;
  event_type: string;
  payload: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
  hmac: string;
}

export interface AuditPage {
  data: AuditRecord[];
  next_cursor: string | null;
}

export interface AuditVerify {
  valid: boolean;
  checked: number;
  checkpoints: number;
  hmac_checked: boolean;
  signatures_checked: boolean;
  writers: Array<{
    writer: string;
    checked: number;
    last_seq: number;
    signed_through: number | null;
  }>;
  first_break: { writer: string | null; seq: number | null; reason: string; detail: string } | null;
}
