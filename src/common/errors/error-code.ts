/**
 * Stable error codes: a public contract (contract section 4.4). Never rename a value; add new ones.
 */
export enum ErrorCode {
  NoProvider = 'no_provider',
  NoCapableProvider = 'no_capable_provider',
  InvalidRequest = 'invalid_request',
  ValidationError = 'validation_error',
  InvalidJson = 'invalid_json',
  UnsupportedResponseFormat = 'unsupported_response_format',
  UnsupportedCapability = 'unsupported_capability',
  ProviderRejectedRequest = 'provider_rejected_request',
  InvalidPath = 'invalid_path',
  ApiKeyRequired = 'api_key_required',
  InvalidApiKey = 'invalid_api_key',
  ApiKeyRevoked = 'api_key_revoked',
  ApiKeyExpired = 'api_key_expired',
  ApiKeyScope = 'api_key_scope',
  TenantSuspended = 'tenant_suspended',
  AdminTokenRequired = 'admin_token_required',
  InvalidAdminToken = 'invalid_admin_token',
  AdminApiDisabled = 'admin_api_disabled',
  TenantNotFound = 'tenant_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  TenantExists = 'tenant_exists',
  ResourceNotFound = 'resource_not_found',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  RequestTooLarge = 'request_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  ProviderRateLimited = 'provider_rate_limited',
  InternalError = 'internal_error',
  ProviderError = 'provider_error',
  ProviderCircuitOpen = 'provider_circuit_open',
  PolicyDenied = 'policy_denied',
  DataResidencyViolation = 'data_residency_violation',
  PolicyInvalid = 'policy_invalid',
  PolicyReadOnly = 'policy_read_only',
  PolicyNotFound = 'policy_not_found',
  PolicyExists = 'policy_exists',
  PiiDetected = 'pii_detected',
  RateLimitExceeded = 'rate_limit_exceeded',
  AuditUnavailable = 'audit_unavailable',
  BudgetCapHard = 'budget_cap_hard',
  BudgetNotFound = 'budget_not_found',
  BudgetExists = 'budget_exists',
  BudgetReadOnly = 'budget_read_only',
  BudgetUnavailable = 'budget_unavailable',
  MetricsTokenRequired = 'metrics_token_required',
  InvalidMetricsToken = 'invalid_metrics_token',
  MetricsUnavailable = 'metrics_unavailable',
}

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'policy_violation'
  | 'pii_violation'
  | 'data_residency_error'
  | 'conflict_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'budget_exceeded'
  | 'provider_rate_limited'
  | 'gateway_error'
  | 'provider_error'
  | 'provider_unavailable';

interface CodeSpec {
  readonly status: number;
  readonly type: ErrorType;
}

/** The HTTP status and envelope `type` each code is rendered with. */
export const ERROR_SPECS: Readonly<Record<ErrorCode, CodeSpec>> = {
  [ErrorCode.NoProvider]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.NoCapableProvider]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.InvalidRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.ValidationError]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.InvalidJson]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.UnsupportedResponseFormat]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.UnsupportedCapability]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.ProviderRejectedRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.InvalidPath]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.ApiKeyRequired]: { status: 401, type: 'authentication_error' },
  [ErrorCode.InvalidApiKey]: { status: 401, type: 'authentication_error' },
  [ErrorCode.ApiKeyRevoked]: { status: 401, type: 'authentication_error' },
  [ErrorCode.ApiKeyExpired]: { status: 401, type: 'authentication_error' },
  [ErrorCode.ApiKeyScope]: { status: 403, type: 'permission_error' },
  [ErrorCode.TenantSuspended]: { status: 403, type: 'permission_error' },
  [ErrorCode.AdminTokenRequired]: { status: 401, type: 'authentication_error' },
  [ErrorCode.InvalidAdminToken]: { status: 401, type: 'authentication_error' },
  [ErrorCode.AdminApiDisabled]: { status: 404, type: 'not_found_error' },
  [ErrorCode.TenantNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.ApiKeyNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.TenantExists]: { status: 409, type: 'conflict_error' },
  [ErrorCode.ResourceNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.NotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.MethodNotAllowed]: { status: 405, type: 'invalid_request_error' },
  [ErrorCode.RequestTooLarge]: { status: 413, type: 'invalid_request_error' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, type: 'invalid_request_error' },
  [ErrorCode.ProviderRateLimited]: { status: 429, type: 'provider_rate_limited' },
  [ErrorCode.InternalError]: { status: 500, type: 'gateway_error' },
  [ErrorCode.ProviderError]: { status: 502, type: 'provider_error' },
  [ErrorCode.ProviderCircuitOpen]: { status: 503, type: 'provider_unavailable' },
  [ErrorCode.PolicyDenied]: { status: 403, type: 'policy_violation' },
  [ErrorCode.DataResidencyViolation]: { status: 403, type: 'data_residency_error' },
  [ErrorCode.PolicyInvalid]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.PolicyReadOnly]: { status: 409, type: 'conflict_error' },
  [ErrorCode.PolicyNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.PolicyExists]: { status: 409, type: 'conflict_error' },
  [ErrorCode.PiiDetected]: { status: 400, type: 'pii_violation' },
  [ErrorCode.RateLimitExceeded]: { status: 429, type: 'rate_limit_error' },
  [ErrorCode.AuditUnavailable]: { status: 503, type: 'gateway_error' },
  [ErrorCode.BudgetCapHard]: { status: 402, type: 'budget_exceeded' },
  [ErrorCode.BudgetNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.BudgetExists]: { status: 409, type: 'conflict_error' },
  [ErrorCode.BudgetReadOnly]: { status: 409, type: 'conflict_error' },
  [ErrorCode.BudgetUnavailable]: { status: 503, type: 'gateway_error' },
  [ErrorCode.MetricsTokenRequired]: { status: 401, type: 'authentication_error' },
  [ErrorCode.InvalidMetricsToken]: { status: 401, type: 'authentication_error' },
  [ErrorCode.MetricsUnavailable]: { status: 503, type: 'gateway_error' },
};
