import type {
  CallOutcome,
  GovernanceContext,
  PolicyRecord,
} from '../pipeline/governance-context.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { nanoToUsd } from '../metering/pricing/cost.calculator.js';
import type { AuditEvent, AuditEventType, AuditPayload, JsonValue } from './audit.types.js';

/*
 * The events a settled /v1 call leaves in the audit trail (contract 12), built from what the
 * stages put on the governance context. Pure: same context and outcome, same events. Ids, names,
 * numbers and types only: no prompt, answer, key or credential unless `captureContent` (and then
 * the body as the PII stage left it).
 */

const POLICY_EVENTS = {
  DENY: 'POLICY_DENIED',
  WARN: 'POLICY_WARNED',
  ROUTE: 'POLICY_ROUTED',
} as const satisfies Record<string, AuditEventType>;

/** Every event of one call: its policy decisions, then the one `GATEWAY_RESPONSE`. */
export function callEvents(
  context: GovernanceContext,
  outcome: CallOutcome,
  captureContent: boolean,
): AuditEvent[] {
  const tenant = context.tenant?.id ?? null;
  const keyId = context.keyId ?? null;
  const events: AuditEvent[] = [];
  for (const record of context.policies) {
    const type = policyEventType(record);
    if (type === undefined) continue;
    events.push({ eventType: type, tenant, keyId, payload: policyPayload(context, record) });
  }
  for (const pii of piiEvents(context, outcome)) events.push({ ...pii, tenant, keyId });
  events.push({
    eventType: 'GATEWAY_RESPONSE',
    tenant,
    keyId,
    payload: gatewayResponse(context, outcome, captureContent),
  });
  return events;
}

export function gatewayResponse(
  context: GovernanceContext,
  outcome: CallOutcome,
  captureContent: boolean,
): AuditPayload {
  const answer = context.answeredBy;
  const usage = context.cost?.usage ?? context.usage;
  const ttft = context.ttftMs;
  const decisive = decisivePolicy(context.policies);
  const payload: Record<string, JsonValue> = {
    trace_id: context.traceId,
    method: context.method,
    path: context.path,
    status: outcome.status,
    error_code: outcome.error?.code ?? null,
    client_gone: outcome.clientGone,
    provider: answer?.provider ?? null,
    model: context.facts?.model ?? null,
    upstream_model: answer?.model ?? null,
    attempts: answer === undefined ? null : answer.failedOver.length + 1,
    fallback: answer === undefined ? false : answer.failedOver.length > 0,
    stream: context.facts?.stream ?? false,
    latency_ms: Math.round(outcome.latencyMs),
    ttft_ms: ttft === undefined ? null : Math.round(ttft),
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    estimated: usage?.estimated ?? null,
    // null when no upstream answered (a refusal costs nothing).
    cost_usd: context.cost === undefined ? null : nanoToUsd(context.cost.nano),
    policy_decision: decisive?.verdict.decision ?? null,
    policy_id: decisive === undefined ? null : (decidingRule(decisive)?.policyId ?? null),
    rule_id: decisive === undefined ? null : (decidingRule(decisive)?.ruleId ?? null),
    // Types and occurrence counts, never values: {"EMAIL": 2}.
    pii_request_types: { ...(context.piiRequest ?? {}) },
    pii_response_types: { ...(context.piiResponse ?? {}) },
    tags: { ...(context.tenant?.tags ?? {}) },
  };
  // Made JSON-safe (jsonSafe) by the audit writer's thread, off the request's.
  if (captureContent && context.body !== undefined) {
    payload.request_body = context.body as unknown as JsonValue;
  }
  return payload;
}

const PII_REQUEST_EVENTS = {
  LOG: 'PII_DETECTED',
  REDACT: 'PII_REDACTED',
  TOKENIZE: 'PII_TOKENIZED',
  BLOCK: 'PII_BLOCKED',
} as const satisfies Record<string, AuditEventType>;

/**
 * The PII events of a call (contract 9.3, 12): one for what the request held, named by what was
 * done about it (embeddings cannot be tokenized: their TOKENIZE is a redaction), and one for what
 * the model produced (`PII_BLOCKED` when that refused the answer, else `PII_OUTPUT_LEAK`). Types
 * and counts only.
 */
function piiEvents(
  context: GovernanceContext,
  outcome: CallOutcome,
): Omit<AuditEvent, 'tenant' | 'keyId'>[] {
  const action = context.piiAction;
  if (action === undefined) return [];
  const events: Omit<AuditEvent, 'tenant' | 'keyId'>[] = [];
  const payload = (direction: 'request' | 'response', types: Record<string, number>) =>
    ({ trace_id: context.traceId, direction, action, types: { ...types } }) as AuditPayload;
  if (context.piiRequest !== undefined) {
    const type =
      action === 'TOKENIZE' && context.kind === 'embeddings'
        ? 'PII_REDACTED'
        : PII_REQUEST_EVENTS[action];
    events.push({ eventType: type, payload: payload('request', context.piiRequest) });
  }
  if (context.piiResponse !== undefined) {
    const refused = action === 'BLOCK' && outcome.error?.code === ErrorCode.PiiDetected;
    events.push({
      eventType: refused ? 'PII_BLOCKED' : 'PII_OUTPUT_LEAK',
      payload: payload('response', context.piiResponse),
    });
  }
  return events;
}

function policyEventType(record: PolicyRecord): AuditEventType | undefined {
  if (record.mode === 'shadow')
    return record.verdict.matched.length > 0 ? 'POLICY_SHADOW' : undefined;
  const decision = record.verdict.decision;
  return decision === 'ALLOW' ? undefined : POLICY_EVENTS[decision];
}

function policyPayload(context: GovernanceContext, record: PolicyRecord): AuditPayload {
  const rule = decidingRule(record);
  return {
    trace_id: context.traceId,
    mode: record.mode,
    decision: record.verdict.decision,
    policy_id: rule?.policyId ?? null,
    rule_id: rule?.ruleId ?? null,
    at:
      record.at === 'request'
        ? 'request'
        : { provider: record.at.provider, model: record.at.model },
    matched: record.verdict.matched.map((m) => ({
      policy_id: m.policyId,
      rule_id: m.ruleId,
      action: m.action,
    })),
    route_to: record.verdict.routeTo === undefined ? null : { ...record.verdict.routeTo },
  };
}

/** The enforced decision that shaped the call: the last refusal or route, else a warning. */
function decisivePolicy(records: readonly PolicyRecord[]): PolicyRecord | undefined {
  const enforced = records.filter((r) => r.mode === 'enforce');
  const order = ['DENY', 'ROUTE', 'WARN', 'ALLOW'] as const;
  for (const decision of order) {
    const found = enforced.findLast((r) => r.verdict.decision === decision);
    if (found !== undefined) return found;
  }
  return undefined;
}

function decidingRule(record: PolicyRecord): { policyId: string; ruleId: string } | undefined {
  const verdict = record.verdict;
  if (verdict.decidedBy !== undefined) return verdict.decidedBy;
  return verdict.matched[verdict.matched.length - 1];
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A value as JSON can carry it and RFC 8785 can canonicalize it: undefined dropped, non-finite
 * numbers null, lone surrogates (valid in a JS string, not in I-JSON) replaced by U+FFFD.
 */
export function jsonSafe(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd');
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => jsonSafe(item));
  if (typeof value !== 'object') return null;
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined || typeof item === 'function') continue;
    out[key.replace(LONE_SURROGATE, '\ufffd')] = jsonSafe(item);
  }
  return out;
}

const HAS_LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `jsonSafe(value)` without the copy when there is nothing to change (the gateway's own payloads
 * never have anything): the value itself when `jsonSafe` would return an equal value with the same
 * keys in the same order, else `jsonSafe`'s copy. The check allocates nothing, which the audit
 * worker thread's young generation notices.
 */
export function asJsonSafe(value: unknown): JsonValue {
  return isJsonSafe(value) ? (value as JsonValue) : jsonSafe(value);
}

/** Whether `jsonSafe` would leave the value as it is. Unsure means no: the copy is always right. */
function isJsonSafe(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return !HAS_LONE_SURROGATE.test(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      return false;
  }
  if (value === null) return true;
  if (Array.isArray(value)) {
    // A hole reads as undefined: not safe, and jsonSafe decides what it becomes.
    for (let i = 0; i < value.length; i++) if (!isJsonSafe(value[i])) return false;
    return true;
  }
  // A Date, Map or class instance is not copied as it is by jsonSafe (only own enumerable keys).
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) return false;
    // jsonSafe's assignment of "__proto__" would set the prototype, not copy the property.
    if (key === '__proto__' || HAS_LONE_SURROGATE.test(key)) return false;
    if (!isJsonSafe(object[key])) return false;
  }
  return true;
}
