import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GovernanceContext } from '../pipeline/governance-context.js';
import type { CompiledRule, PolicyVerdict } from '../policy/policy.types.js';
import { asJsonSafe, callEvents, jsonSafe } from './audit-record.builder.js';

function context(): GovernanceContext {
  const c = new GovernanceContext('trace-1', 'POST', '/v1/chat/completions', 0);
  c.tenant = { id: 'acme', region: 'eu', tags: { team: 'a' }, settings: {} };
  c.keyId = 'key-1';
  c.body = { model: 'gpt-x', messages: [{ role: 'user', content: 'secret prompt' }] };
  c.facts = { model: 'gpt-x', toolNames: [], stream: true };
  return c;
}

const ok = { status: 200, clientGone: false, latencyMs: 12.6 };
const rule = { policyId: 'p1', ruleId: 'r1', action: 'DENY' } as unknown as CompiledRule;
const deny: PolicyVerdict = {
  decision: 'DENY',
  matched: [{ policyId: 'p1', ruleId: 'r1', action: 'DENY' }],
  decidedBy: rule,
  message: 'Request blocked by policy rule: r1',
  warnings: [],
  warnedBy: [],
};

describe(callEvents.name, () => {
  it('builds the GATEWAY_RESPONSE payload of contract 12 from the context and outcome', () => {
    const c = context();
    c.answeredBy = { provider: 'openai', model: 'gpt-x-2026', failedOver: ['azure-openai'] };
    c.usage = { inputTokens: 10, outputTokens: 5, estimated: false };
    c.piiRequest = { EMAIL: 2, PHONE_NUMBER: 1 };
    c.piiResponse = { SSN: 1 };
    const event = callEvents(c, ok, false).at(-1);
    expect(event).toEqual({
      eventType: 'GATEWAY_RESPONSE',
      tenant: 'acme',
      keyId: 'key-1',
      payload: {
        trace_id: 'trace-1',
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        error_code: null,
        client_gone: false,
        provider: 'openai',
        model: 'gpt-x',
        upstream_model: 'gpt-x-2026',
        attempts: 2,
        fallback: true,
        stream: true,
        latency_ms: 13,
        ttft_ms: null,
        input_tokens: 10,
        output_tokens: 5,
        estimated: false,
        cost_usd: null,
        policy_decision: null,
        policy_id: null,
        rule_id: null,
        pii_request_types: { EMAIL: 2, PHONE_NUMBER: 1 },
        pii_response_types: { SSN: 1 },
        tags: { team: 'a' },
      },
    });
    expect(JSON.stringify(event)).not.toContain('secret prompt');
  });

  it('records time to first token, the cost, and the usage it was priced from', () => {
    const c = context();
    c.answeredBy = { provider: 'openai', model: 'gpt-x-2026', failedOver: [] };
    c.firstTokenAt = 7.4;
    // The upstream sent no usage: the estimate the cost was computed from is what is recorded.
    c.cost = {
      nano: 1_250_000,
      priced: true,
      usage: { inputTokens: 12, outputTokens: 30, estimated: true },
    };
    const event = callEvents(c, ok, false).at(-1);
    expect(event?.payload).toMatchObject({
      ttft_ms: 7,
      cost_usd: 0.00125,
      input_tokens: 12,
      output_tokens: 30,
      estimated: true,
    });
  });

  it('records a refusal before authentication with null tenant and key', () => {
    const c = new GovernanceContext('t', 'POST', '/v1/chat/completions', 0);
    const error = new GatewayError(ErrorCode.ApiKeyRequired, 'no key');
    const [event] = callEvents(c, { status: 401, error, clientGone: false, latencyMs: 1 }, false);
    expect(event).toMatchObject({
      tenant: null,
      keyId: null,
      payload: { status: 401, error_code: 'api_key_required', model: null, attempts: null },
    });
  });

  it('adds a POLICY_DENIED event before the response, and shadow decisions as POLICY_SHADOW', () => {
    const c = context();
    c.policies.push({ mode: 'shadow', at: 'request', verdict: deny });
    c.policies.push({ mode: 'enforce', at: 'request', verdict: deny });
    const events = callEvents(c, { ...ok, status: 403 }, false);
    expect(events.map((e) => e.eventType)).toEqual([
      'POLICY_SHADOW',
      'POLICY_DENIED',
      'GATEWAY_RESPONSE',
    ]);
    expect(events[1].payload).toMatchObject({ policy_id: 'p1', rule_id: 'r1', mode: 'enforce' });
    expect(events[2].payload).toMatchObject({
      policy_decision: 'DENY',
      policy_id: 'p1',
      rule_id: 'r1',
    });
  });

  it('adds the PII events: the request named by its action, the answer as an output leak or a block', () => {
    const c = context();
    c.piiAction = 'TOKENIZE';
    c.piiRequest = { EMAIL: 2 };
    c.piiResponse = { SSN: 1 };
    const events = callEvents(c, ok, false);
    expect(events.map((e) => [e.eventType, e.payload])).toEqual([
      [
        'PII_TOKENIZED',
        { trace_id: 'trace-1', direction: 'request', action: 'TOKENIZE', types: { EMAIL: 2 } },
      ],
      [
        'PII_OUTPUT_LEAK',
        { trace_id: 'trace-1', direction: 'response', action: 'TOKENIZE', types: { SSN: 1 } },
      ],
      ['GATEWAY_RESPONSE', expect.anything()],
    ]);
    const blocked = context();
    blocked.piiAction = 'BLOCK';
    blocked.piiResponse = { SSN: 1 };
    const refusal = new GatewayError(ErrorCode.PiiDetected, 'Response blocked: PII detected (SSN)');
    const [event] = callEvents(blocked, { ...ok, status: 400, error: refusal }, false);
    expect(event).toMatchObject({ eventType: 'PII_BLOCKED', payload: { direction: 'response' } });
    const clean = context();
    clean.piiAction = 'LOG';
    expect(callEvents(clean, ok, false).map((e) => e.eventType)).toEqual(['GATEWAY_RESPONSE']);
  });

  it('captures the request body only with capture-content', () => {
    const [captured] = callEvents(context(), ok, true).slice(-1);
    expect(JSON.stringify(captured.payload)).toContain('secret prompt');
  });
});

describe(jsonSafe.name, () => {
  it('makes any value canonicalizable: no undefined, no NaN, no lone surrogate', () => {
    expect(
      jsonSafe({
        a: undefined,
        b: Number.NaN,
        c: 'x\ud800y',
        d: [undefined, Infinity],
        e: () => 1,
      }),
    ).toEqual({ b: null, c: 'x\ufffdy', d: [null, null] });
    expect(jsonSafe('\ud83c\udf0d')).toBe('\ud83c\udf0d');
  });
});

describe(asJsonSafe.name, () => {
  it('returns a payload that is already JSON-safe as it is, not a copy', () => {
    const payload = {
      trace_id: 't-1',
      n: 1.5,
      ok: true,
      none: null,
      list: [1, 'two', { three: [] }],
      nested: Object.assign(Object.create(null) as object, { a: '\ud83c\udf0d' }),
    };
    expect(asJsonSafe(payload)).toBe(payload);
    expect(asJsonSafe('\ud83c\udf0d')).toBe('\ud83c\udf0d');
  });

  it.each([
    ['an undefined member', { a: undefined, b: 1 }],
    ['a NaN', { a: [1, Number.NaN] }],
    ['an Infinity', { a: -Infinity }],
    ['a lone surrogate in a value', { a: 'x\ud800' }],
    ['a lone surrogate in a key', { ['k\udc00']: 1 }],
    ['a function', { a: () => 1 }],
    ['a bigint', { a: 1n }],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the shape under test
    ['an array hole', { a: [1, , 3] }],
    ['an undefined in an array', { a: [undefined] }],
    ['a Date', { at: new Date(0) }],
    ['a Map', { m: new Map([['a', 1]]) }],
    [
      'a class instance',
      {
        c: new (class Point {
          x = 1;
        })(),
      },
    ],
    ['an own __proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
    ['undefined itself', undefined],
  ])('copies what jsonSafe would change (%s), as jsonSafe does', (_shape, value) => {
    const safe = asJsonSafe(value);
    expect(safe).not.toBe(value);
    expect(safe).toEqual(jsonSafe(value));
    expect(JSON.stringify(safe)).toBe(JSON.stringify(jsonSafe(value)));
  });
});
