import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest, FunctionTool } from '../llm-provider.types.js';
import {
  JSON_OBJECT_INSTRUCTION,
  STRUCTURED_OUTPUT_TOOL,
  toAnthropicRequest,
} from './anthropic-request.mapper.js';

const options = { model: 'claude-sonnet-4-5', stream: false, defaultMaxTokens: 1024 };

function map(request: Partial<ChatCompletionRequest>, stream = false) {
  return toAnthropicRequest(
    { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], ...request },
    { ...options, stream },
  );
}

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the mapper to refuse the request');
}

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: true,
  },
};

const answerSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
  required: ['city', 'temperature_c'],
  additionalProperties: false,
};

describe(toAnthropicRequest.name, () => {
  it('maps a plain chat: the default max_tokens, sampling, stop sequences and user', () => {
    const { body, structuredOutput } = map({
      temperature: 0.7,
      top_p: 0.9,
      stop: 'END',
      user: 'user-42',
    });

    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.7,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
    });
    expect(structuredOutput).toBe(false);
  });

  it('takes max_completion_tokens over max_tokens, and either over the default', () => {
    expect(map({ max_tokens: 50 }).body.max_tokens).toBe(50);
    expect(map({ max_tokens: 50, max_completion_tokens: 70 }).body.max_tokens).toBe(70);
  });

  it('asks for a stream only when streaming', () => {
    expect(map({}, true).body.stream).toBe(true);
    expect(map({ stream: true }).body).not.toHaveProperty('stream');
  });

  describe('tools', () => {
    it('maps function tools to input_schema tools', () => {
      const bare: FunctionTool = { type: 'function', function: { name: 'ping' } };
      const { body } = map({ tools: [weather, bare] });

      expect(body.tools).toEqual([
        {
          name: 'get_weather',
          description: 'Weather for a city',
          input_schema: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
        { name: 'ping', input_schema: { type: 'object', properties: {} } },
      ]);
      expect(body).not.toHaveProperty('tool_choice');
    });

    it.each([
      ['auto', { type: 'auto' }],
      ['required', { type: 'any' }],
      ['none', { type: 'none' }],
      [
        { type: 'function', function: { name: 'get_weather' } },
        { type: 'tool', name: 'get_weather' },
      ],
    ] as const)('maps tool_choice %j to %j', (choice, expected) => {
      expect(map({ tools: [weather], tool_choice: choice }).body.tool_choice).toEqual(expected);
    });

    it('maps parallel_tool_calls: false to disable_parallel_tool_use', () => {
      expect(map({ tools: [weather], parallel_tool_calls: false }).body.tool_choice).toEqual({
        type: 'auto',
        disable_parallel_tool_use: true,
      });
      expect(
        map({ tools: [weather], tool_choice: 'required', parallel_tool_calls: false }).body
          .tool_choice,
      ).toEqual({ type: 'any', disable_parallel_tool_use: true });
      expect(
        map({ tools: [weather], tool_choice: 'none', parallel_tool_calls: false }).body.tool_choice,
      ).toEqual({ type: 'none' });
    });

    it('refuses tool parameters whose root is not an object', () => {
      const error = refusal(() =>
        map({
          tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'array' } } }],
        }),
      );
      expect(error.param).toBe('tools[0].function.parameters');
    });
  });

  describe('response_format', () => {
    it('appends the JSON instruction to the system prompt for json_object', () => {
      expect(map({ response_format: { type: 'json_object' } }).body.system).toBe(
        JSON_OBJECT_INSTRUCTION,
      );
      const { body } = map({
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi' },
        ],
        response_format: { type: 'json_object' },
      });
      expect(body.system).toBe(`Be terse.\n\n${JSON_OBJECT_INSTRUCTION}`);
      expect(body).not.toHaveProperty('tools');
    });

    it('rewrites json_schema as the forced structured_output tool', () => {
      const plan = map({
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'weather', schema: answerSchema, strict: true },
        },
      });

      expect(plan.structuredOutput).toBe(true);
      expect(plan.body.tools).toEqual([
        {
          name: STRUCTURED_OUTPUT_TOOL,
          description: expect.stringContaining("'weather'"),
          input_schema: answerSchema,
        },
      ]);
      expect(plan.body.tool_choice).toEqual({ type: 'tool', name: STRUCTURED_OUTPUT_TOOL });
      expect(plan.body).not.toHaveProperty('system');
    });

    it('keeps the caller’s tools callable next to the schema tool when tool_choice is auto', () => {
      const format = {
        type: 'json_schema',
        json_schema: { name: 'weather', schema: answerSchema },
      } as const;
      const auto = map({ tools: [weather], response_format: format, parallel_tool_calls: false });
      expect(auto.body.tools?.map((t) => t.name)).toEqual(['get_weather', STRUCTURED_OUTPUT_TOOL]);
      expect(auto.body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
      expect(auto.structuredOutput).toBe(true);

      const none = map({ tools: [weather], tool_choice: 'none', response_format: format });
      expect(none.body.tool_choice).toEqual({ type: 'tool', name: STRUCTURED_OUTPUT_TOOL });

      const required = map({ tools: [weather], tool_choice: 'required', response_format: format });
      expect(required.body.tools?.map((t) => t.name)).toEqual(['get_weather']);
      expect(required.body.tool_choice).toEqual({ type: 'any' });
      expect(required.structuredOutput).toBe(false);
    });

    it('refuses a schema whose root is not an object, and a caller tool named structured_output', () => {
      const array = refusal(() =>
        map({
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'list', schema: { type: 'array', items: { type: 'string' } } },
          },
        }),
      );
      expect(array.code).toBe(ErrorCode.UnsupportedResponseFormat);
      expect(array.param).toBe('response_format.json_schema.schema');

      const clash = refusal(() =>
        map({
          tools: [{ type: 'function', function: { name: STRUCTURED_OUTPUT_TOOL } }],
          response_format: { type: 'json_schema', json_schema: { name: 'x' } },
        }),
      );
      expect(clash.param).toBe('tools');
    });
  });

  describe('what Anthropic cannot honour', () => {
    it('refuses a temperature above 1 rather than clamping it', () => {
      const error = refusal(() => map({ temperature: 1.5 }));
      expect(error.code).toBe(ErrorCode.UnsupportedCapability);
      expect(error.status).toBe(400);
      expect(error.param).toBe('temperature');
      expect(map({ temperature: 1 }).body.temperature).toBe(1);
    });

    it.each([
      [{ seed: 7 }, 'seed'],
      [{ frequency_penalty: 0.5 }, 'frequency_penalty'],
      [{ presence_penalty: -1 }, 'presence_penalty'],
      [{ metadata: { team: 'a' } }, 'metadata'],
      [{ messages: [{ role: 'user' as const, content: 'Hi', name: 'ana' }] }, 'messages[0].name'],
    ])('refuses %j naming %s', (fields, param) => {
      const error = refusal(() => map(fields));
      expect(error.code).toBe(ErrorCode.UnsupportedCapability);
      expect(error.param).toBe(param);
    });

    it('accepts zero penalties, which ask for nothing', () => {
      expect(() => map({ frequency_penalty: 0, presence_penalty: 0, metadata: {} })).not.toThrow();
    });
  });
});
