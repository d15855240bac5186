import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The response shapes of OpenAI's published API spec (openai/openai-openapi, `openapi.yaml`:
 * CreateChatCompletionResponse, CreateChatCompletionStreamResponse, CreateEmbeddingResponse,
 * ListModelsResponse, ErrorResponse), transcribed for the fields the gateway emits: required
 * keys, types, enums and nullability as the spec states them. Contract 4.7: whatever an upstream
 * sent, what the gateway emits must validate.
 */
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const finishReason = {
  enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'],
};

const usage = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: {
    prompt_tokens: { type: 'integer' },
    completion_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
    prompt_tokens_details: { type: 'object' },
    completion_tokens_details: { type: 'object' },
  },
};

const toolCall = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string' },
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      properties: { name: { type: 'string' }, arguments: { type: 'string' } },
    },
  },
};

const schemas = {
  CreateChatCompletionResponse: {
    type: 'object',
    required: ['id', 'object', 'created', 'model', 'choices'],
    properties: {
      id: { type: 'string' },
      object: { const: 'chat.completion' },
      created: { type: 'integer' },
      model: { type: 'string' },
      system_fingerprint: { type: 'string' },
      usage,
      choices: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'message', 'finish_reason', 'logprobs'],
          properties: {
            index: { type: 'integer' },
            finish_reason: finishReason,
            logprobs: nullable({ type: 'object' }),
            message: {
              type: 'object',
              required: ['role', 'content', 'refusal'],
              properties: {
                role: { const: 'assistant' },
                content: nullable({ type: 'string' }),
                refusal: nullable({ type: 'string' }),
                tool_calls: { type: 'array', items: toolCall },
              },
            },
          },
        },
      },
    },
  },
  CreateChatCompletionStreamResponse: {
    type: 'object',
    required: ['id', 'object', 'created', 'model', 'choices'],
    properties: {
      id: { type: 'string' },
      object: { const: 'chat.completion.chunk' },
      created: { type: 'integer' },
      model: { type: 'string' },
      system_fingerprint: { type: 'string' },
      usage: nullable(usage),
      choices: {
        type: 'array',
        items: {
          type: 'object',
          required: ['delta', 'finish_reason', 'index'],
          properties: {
            index: { type: 'integer' },
            finish_reason: nullable(finishReason),
            logprobs: nullable({ type: 'object' }),
            delta: {
              type: 'object',
              properties: {
                role: { enum: ['developer', 'system', 'user', 'assistant', 'tool'] },
                content: nullable({ type: 'string' }),
                refusal: nullable({ type: 'string' }),
                tool_calls: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['index'],
                    properties: {
                      index: { type: 'integer' },
                      id: { type: 'string' },
                      type: { const: 'function' },
                      function: {
                        type: 'object',
                        properties: { name: { type: 'string' }, arguments: { type: 'string' } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  CreateEmbeddingResponse: {
    type: 'object',
    required: ['object', 'model', 'data', 'usage'],
    properties: {
      object: { const: 'list' },
      model: { type: 'string' },
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['index', 'embedding', 'object'],
          properties: {
            index: { type: 'integer' },
            object: { const: 'embedding' },
            // The spec types it as floats; with encoding_format=base64 the API sends a string.
            embedding: {
              anyOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string' }],
            },
          },
        },
      },
      usage: {
        type: 'object',
        required: ['prompt_tokens', 'total_tokens'],
        properties: { prompt_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
      },
    },
  },
  ListModelsResponse: {
    type: 'object',
    required: ['object', 'data'],
    properties: {
      object: { const: 'list' },
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'object', 'created', 'owned_by'],
          properties: {
            id: { type: 'string' },
            object: { const: 'model' },
            created: { type: 'integer' },
            owned_by: { type: 'string' },
          },
        },
      },
    },
  },
  ErrorResponse: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'param', 'type'],
        properties: {
          code: nullable({ type: 'string' }),
          message: { type: 'string' },
          param: nullable({ type: 'string' }),
          type: { type: 'string' },
        },
      },
    },
  },
} as const;

export type OpenAiSchemaName = keyof typeof schemas;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validators = Object.fromEntries(
  Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)]),
) as Record<OpenAiSchemaName, ReturnType<typeof ajv.compile>>;

/** Throws with Ajv's findings when `value` does not validate against the named spec schema. */
export function expectOpenAiShape(name: OpenAiSchemaName, value: unknown): void {
  const validate = validators[name];
  if (!validate(value)) {
    throw new Error(
      `${name} does not validate: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
    );
  }
}
