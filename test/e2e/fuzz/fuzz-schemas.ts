import fc from 'fast-check';
import type { Json } from './fuzz-bodies.js';

/** Valid request bodies, built from each surface's schema (contract 4 and the admin API). */

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('Mail jane.doe@example.com', 'SSN 123-45-6789', 'card 4111 1111 1111 1111'),
);
const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);

// Weighted toward the mock so that a good share of valid bodies reach a provider and are answered.
const models = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('mock/any', 'mock', 'mock/fuzz') },
  { weight: 1, arbitrary: fc.constantFrom('no-such-model', 'openai/gpt-4o') },
);

const toolCall = fc.record({
  id: fc.stringMatching(/^call_[a-z0-9]{4,10}$/),
  type: fc.constant('function'),
  function: fc.record({ name, arguments: fc.json({ maxDepth: 2 }) }),
});

// Weighted so that most valid bodies are answerable by the mock (which has no tool calls).
const message: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      role: fc.constantFrom('system', 'user', 'assistant', 'developer'),
      content: text,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      role: fc.constant('user'),
      content: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant('text'), text }),
          fc.record({
            type: fc.constant('image_url'),
            image_url: fc.record({ url: fc.constant('data:image/png;base64,iVBORw0KGgo=') }),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      role: fc.constant('assistant'),
      content: fc.constant(null),
      tool_calls: fc.array(toolCall, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      role: fc.constant('tool'),
      tool_call_id: fc.stringMatching(/^call_[a-z0-9]{4,10}$/),
      content: text,
    }),
  },
);

const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record(
    {
      name,
      description: text,
      parameters: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }),
    },
    { requiredKeys: ['name'] },
  ),
});

const chatFields = fc.record(
  {
    model: models,
    messages: fc.array(message, { minLength: 1, maxLength: 4 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    max_completion_tokens: fc.integer({ min: 1, max: 4096 }),
    stream: fc.boolean(),
    stream_options: fc.record({ include_usage: fc.boolean() }),
    stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
    n: fc.constant(1),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    user: text,
    presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
    response_format: fc.record({ type: fc.constantFrom('text', 'json_object') }),
    metadata: fc.record({ tags: fc.constantFrom('team=search', 'a=b,c=d') }),
  },
  { requiredKeys: ['model', 'messages'] },
);

/** Tools in one body of five: the mock answers none of them. */
const tooling = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        tools: fc.array(tool, { minLength: 1, maxLength: 3 }),
        tool_choice: fc.constantFrom('auto', 'none', 'required'),
      },
      { requiredKeys: [] },
    ),
  },
);

export const chatBody: fc.Arbitrary<Json> = fc
  .tuple(chatFields, tooling)
  .map(([fields, tools]) => ({ ...fields, ...tools }));

export const embeddingsBody: fc.Arbitrary<Json> = fc.record(
  {
    model: models,
    input: fc.oneof(
      text,
      fc.array(text, { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 3,
      }),
    ),
    encoding_format: fc.constantFrom('float', 'base64'),
    dimensions: fc.integer({ min: 1, max: 3072 }),
    user: text,
  },
  { requiredKeys: ['model', 'input'] },
);

/** A Messages API content block (contract 15). */
const messagesBlock = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('text'), text }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('image'),
      source: fc.record({
        type: fc.constant('base64'),
        media_type: fc.constantFrom('image/png', 'image/jpeg'),
        data: fc.constant('iVBORw0KGgo='),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('tool_result'),
      tool_use_id: fc.stringMatching(/^toolu_[a-z0-9]{4,10}$/),
      content: text,
    }),
  },
);

export const messagesBody: fc.Arbitrary<Json> = fc.record(
  {
    model: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('mock/any', 'mock/fuzz') },
      { weight: 1, arbitrary: fc.constantFrom('claude-sonnet-4-5', 'no-such-model') },
    ),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom('user', 'assistant'),
        content: fc.oneof(text, fc.array(messagesBlock, { minLength: 1, maxLength: 3 })),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    system: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }),
    ),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    stop_sequences: fc.array(text, { maxLength: 3 }),
    metadata: fc.record({ user_id: text }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

/** A Responses API input item (contract 16); the mock answers messages only. */
const responsesItem = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      role: fc.constantFrom('user', 'assistant', 'system', 'developer'),
      content: fc.oneof(
        text,
        fc.array(fc.record({ type: fc.constant('input_text'), text }), {
          minLength: 1,
          maxLength: 2,
        }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('function_call'),
      call_id: fc.stringMatching(/^call_[a-z0-9]{4,10}$/),
      name,
      arguments: fc.json({ maxDepth: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('function_call_output'),
      call_id: fc.stringMatching(/^call_[a-z0-9]{4,10}$/),
      output: text,
    }),
  },
);

const responsesFields = fc.record(
  {
    model: models,
    input: fc.oneof(text, fc.array(responsesItem, { minLength: 1, maxLength: 3 })),
    instructions: text,
    stream: fc.boolean(),
    max_output_tokens: fc.integer({ min: 1, max: 4096 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    store: fc.boolean(),
    text: fc.record({ format: fc.record({ type: fc.constantFrom('text', 'json_object') }) }),
    metadata: fc.dictionary(name, fc.string({ maxLength: 20 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['model', 'input'] },
);

/**
 * A Responses body; one in ten asks for `reasoning.effort`, which the fuzzed targets (the mock)
 * refuse with `unsupported_capability` (contract 4.2), so most bodies stay servable.
 */
export const responsesBody: fc.Arbitrary<Json> = fc
  .tuple(responsesFields, fc.integer({ min: 0, max: 9 }), fc.constantFrom('low', 'medium', 'high'))
  .map(([body, roll, effort]) => (roll === 0 ? { ...body, reasoning: { effort } } : body));

const tenantId = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const scopes = fc.subarray(['completions:write', 'embeddings:write', 'models:read']);
const rateLimits = fc.record(
  {
    requests_per_minute: fc.integer({ min: 1, max: 100_000 }),
    tokens_per_minute: fc.integer({ min: 1, max: 10_000_000 }),
  },
  { requiredKeys: [] },
);
const settings = fc.record(
  {
    pii_action: fc.constantFrom('LOG', 'REDACT', 'TOKENIZE', 'BLOCK', 'redact'),
    pii_types: fc.subarray(['EMAIL', 'SSN', 'CREDIT_CARD', 'PHONE_NUMBER']),
    pii_custom_patterns: fc.dictionary(
      fc.stringMatching(/^[A-Z_]{1,10}$/),
      fc.constantFrom('EMP-\\d{6}', '[a-z]+@corp', '(a+)+$', 'x{2,5}'),
      { maxKeys: 2 },
    ),
    allowed_providers: fc.subarray(['mock', 'openai', 'anthropic']),
    rate_limits: rateLimits,
  },
  { requiredKeys: [] },
);

const dsl = fc.constantFrom(
  'rules:\n  - id: r1\n    conditions:\n      model: { denylist: ["gpt-4-turbo*"] }\n',
  'rules:\n  - id: w\n    conditions:\n      max_tokens: { limit: 1000 }\n    action: WARN_AGENT\n    warn_message: big\n',
  'rules: []\n',
  'rules:\n  - id: x\n    conditions: { nope: 1 }\n',
  ': not yaml [',
);

/** One admin write: method, path and a valid body. */
export interface AdminCall {
  readonly method: 'POST' | 'PATCH' | 'PUT';
  readonly path: string;
  readonly body: Json;
}

/** Admin writes against the tenant `fuzz` (created before the run) and its key. */
export function adminCalls(keyId: string): fc.Arbitrary<AdminCall> {
  return fc.oneof(
    fc
      .record({ id: tenantId, name: text, settings }, { requiredKeys: ['name'] })
      .map((body) => ({ method: 'POST' as const, path: '/v1/admin/tenants', body: body })),
    fc.record({ name: text, settings }, { requiredKeys: [] }).map((body) => ({
      method: 'PATCH' as const,
      path: '/v1/admin/tenants/fuzz',
      body: body,
    })),
    fc
      .record(
        {
          name: text,
          scopes,
          expires_at: fc.constant('2099-01-01T00:00:00Z'),
          rate_limits: rateLimits,
        },
        { requiredKeys: [] },
      )
      .map((body) => ({
        method: 'POST' as const,
        path: '/v1/admin/tenants/fuzz/keys',
        body: body,
      })),
    fc.record({ name: text, rate_limits: rateLimits }, { requiredKeys: [] }).map((body) => ({
      method: 'PATCH' as const,
      path: `/v1/admin/keys/${keyId}`,
      body: body,
    })),
    fc
      .record(
        {
          tenant: fc.constantFrom('fuzz', 'nobody'),
          period: fc.constantFrom('day', 'week', 'month'),
          limit_usd: fc.double({ min: 0.01, max: 1_000, noNaN: true }),
          soft_limit_pct: fc.integer({ min: 1, max: 100 }),
        },
        { requiredKeys: ['tenant', 'period', 'limit_usd'] },
      )
      .map((body) => ({ method: 'POST' as const, path: '/v1/admin/budgets', body: body })),
    fc
      .record(
        {
          provider: fc.constantFrom('openai', 'mock', 'nope'),
          model: fc.constantFrom('gpt-x*', 'fuzz-model', '*'),
          input: fc.double({ min: 0, max: 100, noNaN: true }),
          output: fc.double({ min: 0, max: 100, noNaN: true }),
        },
        { requiredKeys: ['provider', 'model', 'input', 'output'] },
      )
      .map((body) => ({ method: 'POST' as const, path: '/v1/admin/pricing', body: body })),
    fc
      .record({ tenant: fc.constant('fuzz'), status: fc.constantFrom('ACTIVE', 'SHADOW'), dsl })
      .map((body) => ({ method: 'POST' as const, path: '/v1/admin/policies', body: body })),
    fc
      .record(
        {
          tenant: fc.constant('fuzz'),
          request: fc.record({ model: models, messages: fc.array(message, { maxLength: 2 }) }),
          dsl,
        },
        { requiredKeys: ['request'] },
      )
      .map((body) => ({
        method: 'POST' as const,
        path: '/v1/admin/policies/dry-run',
        body: body,
      })),
  );
}

/** Admin reads with fuzzed query strings. */
export const adminQueries: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      '/v1/admin/tenants',
      '/v1/admin/spend',
      '/v1/admin/audit',
      '/v1/admin/budgets',
      '/v1/admin/pricing',
      '/v1/admin/policies',
      '/v1/admin/audit/export',
    ),
    fc.array(
      fc.tuple(
        fc.constantFrom(
          'limit',
          'cursor',
          'from',
          'to',
          'group_by',
          'format',
          'tenant',
          'event_type',
          'provider',
          'model',
          'status',
          '__proto__',
        ),
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(
            '-1',
            '1e400',
            '2026-13-45',
            'csv',
            'jsonl',
            'tenant,model',
            'x'.repeat(5000),
          ),
        ),
      ),
      { maxLength: 4 },
    ),
  )
  .map(
    ([path, params]) =>
      `${path}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`,
  );
