import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The Responses API shapes of OpenAI's published API spec (openai/openai-openapi, `openapi.yaml`:
 * `Response`, `ResponseUsage`, `OutputMessage`, `OutputTextContent`, `RefusalContent`,
 * `FunctionToolCall` and the `ResponseStreamEvent` members the gateway emits), transcribed for
 * the fields the gateway emits: required keys, types, enums and nullability as the spec states
 * them (companion of `openai-schemas.ts`, which holds the chat shapes). Contract 16: bodies and
 * events validate against the published schema.
 */
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const int = { type: 'integer' };
const str = { type: 'string' };
const itemStatus = { enum: ['in_progress', 'completed', 'incomplete'] };

const usage = {
  type: 'object',
  required: [
    'input_tokens',
    'input_tokens_details',
    'output_tokens',
    'output_tokens_details',
    'total_tokens',
  ],
  properties: {
    input_tokens: int,
    input_tokens_details: {
      type: 'object',
      required: ['cached_tokens'],
      properties: { cached_tokens: int },
    },
    output_tokens: int,
    output_tokens_details: {
      type: 'object',
      required: ['reasoning_tokens'],
      properties: { reasoning_tokens: int },
    },
    total_tokens: int,
  },
};

const outputText = {
  type: 'object',
  required: ['type', 'text', 'annotations'],
  properties: {
    type: { const: 'output_text' },
    text: str,
    annotations: { type: 'array' },
    logprobs: { type: 'array' },
  },
};
const refusal = {
  type: 'object',
  required: ['type', 'refusal'],
  properties: { type: { const: 'refusal' }, refusal: str },
};
const contentPart = { oneOf: [outputText, refusal] };

const outputMessage = {
  type: 'object',
  required: ['id', 'type', 'role', 'content', 'status'],
  properties: {
    id: str,
    type: { const: 'message' },
    role: { const: 'assistant' },
    status: itemStatus,
    content: { type: 'array', items: contentPart },
  },
};
const functionCall = {
  type: 'object',
  required: ['type', 'call_id', 'name', 'arguments'],
  properties: {
    id: str,
    type: { const: 'function_call' },
    call_id: str,
    name: str,
    arguments: str,
    status: itemStatus,
  },
};
/** What the gateway itself emits when it translates; a native upstream may send more types. */
const outputItem = { oneOf: [outputMessage, functionCall] };

const errorCodes = [
  'server_error',
  'rate_limit_exceeded',
  'invalid_prompt',
  'vector_store_timeout',
  'invalid_image',
  'invalid_image_format',
  'invalid_base64_image',
  'invalid_image_url',
  'image_too_large',
  'image_too_small',
  'image_parse_error',
  'image_content_policy_violation',
  'invalid_image_mode',
  'image_file_too_large',
  'unsupported_image_media_type',
  'empty_image_file',
  'failed_to_download_image',
  'image_file_not_found',
];

const response = {
  type: 'object',
  required: [
    'id',
    'object',
    'created_at',
    'error',
    'incomplete_details',
    'instructions',
    'metadata',
    'model',
    'output',
    'parallel_tool_calls',
    'temperature',
    'tool_choice',
    'tools',
    'top_p',
  ],
  properties: {
    id: str,
    object: { const: 'response' },
    created_at: { type: 'number' },
    status: { enum: ['completed', 'failed', 'in_progress', 'cancelled', 'queued', 'incomplete'] },
    error: nullable({
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { enum: errorCodes }, message: str },
    }),
    incomplete_details: nullable({
      type: 'object',
      properties: { reason: { enum: ['max_output_tokens', 'content_filter'] } },
    }),
    instructions: nullable({ anyOf: [str, { type: 'array' }] }),
    metadata: nullable({ type: 'object', additionalProperties: { type: 'string' } }),
    model: str,
    output: { type: 'array', items: outputItem },
    parallel_tool_calls: { type: 'boolean' },
    temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
    tool_choice: {
      anyOf: [
        { enum: ['none', 'auto', 'required'] },
        { type: 'object', required: ['type'], properties: { type: str } },
      ],
    },
    tools: {
      type: 'array',
      items: { type: 'object', required: ['type'], properties: { type: str } },
    },
    top_p: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    max_output_tokens: nullable(int),
    previous_response_id: nullable(str),
    reasoning: nullable({ type: 'object' }),
    text: { type: 'object' },
    truncation: nullable({ enum: ['auto', 'disabled'] }),
    // The spec types it ResponseUsage; OpenAI itself sends null in the early events of a stream
    // (response.created, response.in_progress), and contract 16 allows the same.
    usage: nullable(usage),
    // Deprecated in the spec (a string); OpenAI's own answers carry `"user": null`.
    user: nullable(str),
  },
};

/** One stream event type: its `type`, `sequence_number` and the fields the spec requires. */
function event(type: string, properties: Record<string, object>): object {
  return {
    type: 'object',
    required: ['type', 'sequence_number', ...Object.keys(properties)],
    properties: { type: { const: type }, sequence_number: int, ...properties },
  };
}

const at = { item_id: str, output_index: int };
const inPart = { ...at, content_index: int };

const streamEvent = {
  oneOf: [
    event('response.created', { response }),
    event('response.in_progress', { response }),
    event('response.completed', { response }),
    event('response.incomplete', { response }),
    event('response.failed', { response }),
    event('response.output_item.added', { output_index: int, item: outputItem }),
    event('response.output_item.done', { output_index: int, item: outputItem }),
    event('response.content_part.added', { ...inPart, part: contentPart }),
    event('response.content_part.done', { ...inPart, part: contentPart }),
    event('response.output_text.delta', { ...inPart, delta: str, logprobs: { type: 'array' } }),
    event('response.output_text.done', { ...inPart, text: str, logprobs: { type: 'array' } }),
    event('response.refusal.delta', { ...inPart, delta: str }),
    event('response.refusal.done', { ...inPart, refusal: str }),
    event('response.function_call_arguments.delta', { ...at, delta: str }),
    event('response.function_call_arguments.done', { ...at, name: str, arguments: str }),
    event('error', { code: nullable(str), message: str, param: nullable(str) }),
  ],
};

const schemas = { Response: response, ResponseStreamEvent: streamEvent } as const;

export type ResponsesSchemaName = keyof typeof schemas;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = Object.fromEntries(
  Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]),
) as Record<ResponsesSchemaName, ReturnType<typeof ajv.compile>>;

/** Throws with Ajv's findings when `value` does not validate against the named spec schema. */
export function expectResponsesShape(name: ResponsesSchemaName, value: unknown): void {
  const validate = validators[name];
  if (!validate(value)) {
    throw new Error(
      `${name} does not validate: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
    );
  }
}

/**
 * A whole Responses event stream as the spec and the SDKs expect it: every event valid, the
 * `sequence_number`s increasing by one from 0, `response.created` first and one terminal event
 * last.
 */
export function expectResponsesStream(
  events: readonly { type: string; sequence_number: number }[],
) {
  events.forEach((e, i) => {
    expectResponsesShape('ResponseStreamEvent', e);
    if (e.sequence_number !== i) {
      throw new Error(`event ${i} (${e.type}) has sequence_number ${e.sequence_number}`);
    }
  });
  if (events[0]?.type !== 'response.created')
    throw new Error('the stream must open with response.created');
  const last = events.at(-1)?.type ?? '';
  if (!['response.completed', 'response.incomplete', 'response.failed'].includes(last)) {
    throw new Error(`the stream ends with ${last}, not a terminal event`);
  }
}
