import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest, ChatMessage, ToolChoice } from '../llm-provider.types.js';
import {
  imageReferences,
  type InlineImages,
  JSON_OBJECT_INSTRUCTION,
  STRUCTURED_OUTPUT_TOOL,
  toConversePlan,
} from './bedrock-request.mapper.js';

const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const NO_IMAGES: InlineImages = new Map();

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

/** The request as the SDK puts it on the wire: image bytes as base64. */
function onTheWire(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      const buffer = v as { type?: unknown; data?: unknown };
      return buffer?.type === 'Buffer' && Array.isArray(buffer.data)
        ? Buffer.from(buffer.data as number[]).toString('base64')
        : v;
    }),
  );
}

function plan(request: Partial<ChatCompletionRequest>, images: InlineImages = NO_IMAGES) {
  return toConversePlan(
    { model: `bedrock/${MODEL}`, messages: [{ role: 'user', content: 'Hi' }], ...request },
    MODEL,
    images,
  );
}

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

const toolHistory: ChatMessage[] = [
  { role: 'user', content: 'Weather in Paris?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      {
        id: 'call_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '18C sunny' },
];

describe(toConversePlan.name, () => {
  it('maps a whole conversation: system blocks, image bytes, tool calls and merged tool results', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this image, and what is the weather there?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      { role: 'developer', content: 'Answer in French.' },
      {
        role: 'assistant',
        content: 'A street in Paris. Checking both.',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '14:05' }] },
      { role: 'user', content: 'Thanks!' },
    ];
    const images: InlineImages = new Map([
      ['messages[1].content[1].image_url', { mimeType: 'image/png', data: 'iVBORw0KGgo=' }],
    ]);

    const result = plan(
      {
        messages,
        max_tokens: 256,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
        tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }],
        tool_choice: 'auto',
        user: 'user-42',
      },
      images,
    );

    expect(onTheWire(result.input)).toEqual(fixture('converse-request.expected.json'));
    expect(result.structuredTool).toBeUndefined();
  });

  it('lists the image parts to inline by their request path', () => {
    expect(
      imageReferences([
        { role: 'system', content: 'x' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'image_url', image_url: { url: 'data:image/gif;base64,R0lG' } },
          ],
        },
      ]),
    ).toEqual([
      { param: 'messages[1].content[1].image_url', url: 'https://example.com/cat.png' },
      { param: 'messages[1].content[2].image_url', url: 'data:image/gif;base64,R0lG' },
    ]);
  });

  it.each([
    ['image/jpeg', 'jpeg'],
    ['image/jpg', 'jpeg'],
    ['image/gif', 'gif'],
    ['image/webp', 'webp'],
  ])('takes the image format from the MIME type %s', (mimeType, format) => {
    const result = plan(
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] },
      new Map([['messages[0].content[0].image_url', { mimeType, data: 'AAAA' }]]),
    );
    expect(result.input.messages?.[0].content?.[0].image?.format).toBe(format);
  });

  it('refuses an image format Converse does not take, naming the part', () => {
    const error = refusal(() =>
      plan(
        { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] },
        new Map([['messages[0].content[0].image_url', { mimeType: 'image/bmp', data: 'Qk0=' }]]),
      ),
    );
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.param).toBe('messages[0].content[0].image_url');
  });

  it('refuses an image outside a user message', () => {
    const error = refusal(() =>
      plan({
        messages: [
          {
            role: 'system',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }],
          },
          { role: 'user', content: 'Hi' },
        ],
      }),
    );
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe('messages[0].content[0]');
  });

  it('prefers max_completion_tokens, sends stop lists as they are, and omits an empty config', () => {
    expect(
      plan({ max_tokens: 10, max_completion_tokens: 20, stop: ['a', 'b'] }).input.inferenceConfig,
    ).toEqual({
      maxTokens: 20,
      stopSequences: ['a', 'b'],
    });
    expect(plan({ stop: [] }).input).not.toHaveProperty('inferenceConfig');
    expect(plan({}).input).toEqual({
      modelId: MODEL,
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });
  });

  it('merges consecutive same-role messages and skips empty ones, so roles alternate', () => {
    const result = plan({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'three' },
        { role: 'assistant', content: 'four' },
      ],
    });
    expect(result.input.messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }] },
      { role: 'assistant', content: [{ text: 'three' }, { text: 'four' }] },
    ]);
  });

  it.each<[ToolChoice, object]>([
    ['required', { any: {} }],
    [
      { type: 'function' as const, function: { name: 'get_weather' } },
      { tool: { name: 'get_weather' } },
    ],
  ])('maps tool_choice %j', (choice, expected) => {
    expect(
      plan({ tools: [weatherTool], tool_choice: choice }).input.toolConfig?.toolChoice,
    ).toEqual(expected);
  });

  it("leaves the tool config out for tool_choice 'none', as Converse has no none", () => {
    expect(plan({ tools: [weatherTool], tool_choice: 'none' }).input).not.toHaveProperty(
      'toolConfig',
    );
  });

  it("refuses tool_choice 'none' once the history holds tool calls", () => {
    const error = refusal(() =>
      plan({ messages: toolHistory, tools: [weatherTool], tool_choice: 'none' }),
    );
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe('tool_choice');
  });

  it('refuses a tool-call history without the tools declared', () => {
    const error = refusal(() => plan({ messages: toolHistory }));
    expect(error.code).toBe(ErrorCode.ValidationError);
    expect(error.param).toBe('tools');
  });

  it.each([
    ['not JSON', '{"city":', ErrorCode.ValidationError],
    ['a JSON array', '["Paris"]', ErrorCode.ValidationError],
  ])('refuses tool-call arguments that are %s', (_name, args, code) => {
    const messages: ChatMessage[] = [
      toolHistory[0],
      {
        ...toolHistory[1],
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }],
      },
    ];
    const error = refusal(() => plan({ messages, tools: [weatherTool] }));
    expect(error.code).toBe(code);
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('refuses a tool message without tool_call_id', () => {
    const error = refusal(() =>
      plan({
        messages: [toolHistory[0], toolHistory[1], { role: 'tool', content: 'x' }],
        tools: [weatherTool],
      }),
    );
    expect(error.param).toBe('messages[2].tool_call_id');
  });

  it('asks for JSON through an extra system block for json_object', () => {
    expect(plan({ response_format: { type: 'json_object' } }).input.system).toEqual([
      { text: JSON_OBJECT_INSTRUCTION },
    ]);
    expect(
      plan({
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi' },
        ],
        response_format: { type: 'json_object' },
      }).input.system,
    ).toEqual([{ text: 'Be terse.' }, { text: JSON_OBJECT_INSTRUCTION }]);
  });

  it('rewrites json_schema into the forced structured_output tool', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const result = plan({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'person', schema, strict: true },
      },
    });

    expect(result.structuredTool).toBe(STRUCTURED_OUTPUT_TOOL);
    expect(result.input.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'structured_output',
            description: expect.stringContaining('final answer'),
            inputSchema: { json: schema },
          },
        },
      ],
      toolChoice: { tool: { name: 'structured_output' } },
    });
  });

  it("keeps the caller's tools beside the json_schema tool, and then lets the model pick any", () => {
    const result = plan({
      tools: [weatherTool],
      tool_choice: 'auto',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', description: 'The reply' },
      },
    });
    expect(result.input.toolConfig?.tools?.map((t) => t.toolSpec?.name)).toEqual([
      'get_weather',
      'structured_output',
    ]);
    expect(result.input.toolConfig?.tools?.[1].toolSpec?.description).toBe('The reply');
    expect(result.input.toolConfig?.toolChoice).toEqual({ any: {} });
  });

  it('refuses a caller tool named structured_output alongside json_schema', () => {
    const error = refusal(() =>
      plan({
        tools: [{ type: 'function', function: { name: 'structured_output' } }],
        response_format: { type: 'json_schema', json_schema: { name: 'x' } },
      }),
    );
    expect(error.param).toBe('tools');
  });

  it.each([
    ['seed', { seed: 7 }],
    ['frequency_penalty', { frequency_penalty: 0.5 }],
    ['presence_penalty', { presence_penalty: -1 }],
    ['parallel_tool_calls', { parallel_tool_calls: false }],
  ])('refuses %s, which Converse cannot honour', (param, extra) => {
    const error = refusal(() => plan(extra));
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe(param);
    expect(error.status).toBe(400);
  });

  it('accepts the no-op values of those fields', () => {
    expect(() =>
      plan({ frequency_penalty: 0, presence_penalty: 0, parallel_tool_calls: true }),
    ).not.toThrow();
  });
});
