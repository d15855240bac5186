// The audit payload the audit benches write: the GATEWAY_RESPONSE of the bench's governed call,
// with the fields and value shapes audit-record.builder.ts gives it (contract 12).

/** `traceId`: the call's trace id (random in the gateway: where a row lands in its index). */
export function gatewayResponsePayload(traceId) {
  return {
    trace_id: traceId,
    method: 'POST',
    path: '/v1/chat/completions',
    status: 200,
    error_code: null,
    client_gone: false,
    provider: 'openai',
    model: 'gpt-4o-mini',
    upstream_model: 'gpt-4o-mini',
    attempts: 1,
    fallback: false,
    stream: false,
    latency_ms: 3,
    ttft_ms: null,
    input_tokens: 21,
    output_tokens: 12,
    estimated: false,
    cost_usd: 0.0000104,
    policy_decision: null,
    policy_id: null,
    rule_id: null,
    pii_request_types: {},
    pii_response_types: {},
    tags: { team: 'bench', env: 'perf' },
  };
}
