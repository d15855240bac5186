import { ErrorCode } from '../../common/errors/error-code.js';
import { responsesRequestSchema, type ResponsesRequest } from './dto/responses-request.schema.js';
import { toChatRequest, translationGap } from './responses-request.mapper.js';

/** A body as the SDK sends it, validated as the route validates it. */
function body(value: Record<string, unknown>): ResponsesRequest {
  const parsed = responsesRequestSchema.safeParse(value);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return value as ResponsesRequest;
}

function firstIssue(value: unknown): { path: string; message: string } | undefined {
  const parsed = responsesRequestSchema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return { path: issue.path.join('.'), message: issue.message };
}

describe(toChatRequest.name, () => {
  it('turns a string input and instructions into a system and a user message', () => {
    const chat = toChatRequest(
      body({ model: 'm', input: 'Hi', instructions: 'Be terse.', max_output_tokens: 50 }),
    );
    expect(chat).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 50,
    });
  });

  it('translates a function-tool round trip: items, tools, tool_choice and settings', () => {
    const chat = toChatRequest(
      body({
        model: 'm',
        stream: true,
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] },
          {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
          },
          { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"c":"Oslo"}' },
          { type: 'function_call', call_id: 'call_2', name: 'time', arguments: '{}' },
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { type: 'function_call_output', call_id: 'call_1', output: '12C' },
          {
            type: 'function_call_output',
            call_id: 'call_2',
            output: [{ type: 'input_text', text: '10:00' }],
          },
        ],
        tools: [
          {
            type: 'function',
            name: 'weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { c: { type: 'string' } } },
            strict: false,
          },
        ],
        tool_choice: { type: 'function', name: 'weather' },
        parallel_tool_calls: false,
        temperature: 0.2,
        top_p: 0.9,
        reasoning: { effort: 'low' },
        metadata: { tags: 'team=a' },
        safety_identifier: 'u1',
        text: {
          format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true },
        },
      }),
    );
    expect(chat).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"c":"Oslo"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '12C' },
        { role: 'tool', tool_call_id: 'call_2', content: '10:00' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { c: { type: 'string' } } },
            strict: false,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'w', schema: { type: 'object' }, strict: true },
      },
      temperature: 0.2,
      top_p: 0.9,
      reasoning_effort: 'low',
      metadata: { tags: 'team=a' },
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(translationGap(body({ model: 'm', input: 'x', reasoning: { effort: 'low' } }))).toBe(
      undefined,
    );
  });

  it('keeps images as image parts and a function call without a preceding assistant text', () => {
    const chat = toChatRequest(
      body({
        model: 'm',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'low' },
            ],
          },
          { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        ],
        text: { format: { type: 'json_object' } },
      }),
    );
    expect(chat.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
    ]);
    expect(chat.response_format).toEqual({ type: 'json_object' });
  });

  it('keeps built-in tools in the chat form by name, for policies on tool names', () => {
    const chat = toChatRequest(body({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }));
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'web_search' } }]);
  });
});

describe(translationGap.name, () => {
  it.each([
    [{ store: true }, 'store'],
    [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0]'],
    [{ tools: [{ type: 'function', name: 'f' }, { type: 'file_search' }] }, 'tools[1]'],
    [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice'],
    [{ include: ['reasoning.encrypted_content'] }, 'include'],
    [{ background: true }, 'background'],
    [{ truncation: 'auto' }, 'truncation'],
    [{ text: { verbosity: 'low' } }, 'text.verbosity'],
    [{ reasoning: { summary: 'auto' } }, 'reasoning.summary'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]'],
    [
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
      'input[0].content[0]',
    ],
    [
      { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] },
      'input[0].content[0]',
    ],
    [
      {
        input: [
          { role: 'system', content: [{ type: 'input_image', image_url: 'https://x.test/a' }] },
        ],
      },
      'input[0].content[0]',
    ],
    [
      {
        input: [
          {
            type: 'function_call_output',
            call_id: 'c',
            output: [{ type: 'input_image', image_url: 'https://x.test/a' }],
          },
        ],
      },
      'input[0].output[0]',
    ],
  ])('refuses %j by name when translating', (fields, param) => {
    const error = translationGap(body({ model: 'm', input: 'x', ...fields }));
    expect(error?.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error?.status).toBe(400);
    expect(error?.param).toBe(param);
  });

  it('lets hints that do not change the answer through', () => {
    const request = body({
      model: 'm',
      input: 'x',
      store: false,
      truncation: 'disabled',
      prompt_cache_key: 'k',
      service_tier: 'auto',
      stream_options: { include_obfuscation: false },
      include: [],
    });
    expect(translationGap(request)).toBeUndefined();
  });
});

describe('responsesRequestSchema', () => {
  it.each([
    [{ input: 'x' }, 'model'],
    [{ model: 'm' }, 'input'],
    [{ model: 'm', input: [] }, 'input'],
    [{ model: 'm', input: 'x', bogus: 1 }, ''],
    [
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 5 }] }] },
      'input.0',
    ],
    [
      { model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f' }] },
      'input.0.arguments',
    ],
    [{ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'input.0.role'],
    [{ model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools.0.name'],
    [{ model: 'm', input: 'x', temperature: 3 }, 'temperature'],
    [{ model: 'm', input: 'x', max_output_tokens: 0 }, 'max_output_tokens'],
    [
      { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'a' } } },
      'text.format.schema',
    ],
    [{ model: 'm', input: 'x', reasoning: { effort: 'huge' } }, 'reasoning.effort'],
  ])('refuses %j at %s', (value, path) => {
    const issue = firstIssue(value);
    expect(issue).toBeDefined();
    expect(issue!.path.startsWith(path)).toBe(true);
  });

  it('accepts typed items it does not translate, for a native upstream', () => {
    expect(
      firstIssue({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }),
    ).toBeUndefined();
    expect(firstIssue({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] })).toBeUndefined();
  });
});
