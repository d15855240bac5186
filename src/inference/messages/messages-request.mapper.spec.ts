import { GatewayError } from '../../common/errors/gateway-error.js';
import type { MessagesRequest } from './dto/messages-request.schema.js';
import { toChatPrompt, toChatRequest } from './messages-request.mapper.js';

function refusal(run: () => unknown): { code: string; param: string | null } {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('no refusal');
}

const base: MessagesRequest = {
  model: 'claude-x',
  max_tokens: 10,
  messages: [{ role: 'user', content: 'Hi' }],
};

describe(toChatRequest.name, () => {
  it('carries the sampling fields and asks the chat stream for its usage', () => {
    expect(
      toChatRequest({
        ...base,
        stream: true,
        temperature: 0.5,
        stop_sequences: ['###'],
        metadata: { user_id: 'u1' },
        service_tier: 'auto',
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }),
    ).toEqual({
      model: 'claude-x',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      stop: ['###'],
      user: 'u1',
    });
  });

  it('turns tool results into tool messages ahead of the rest of the user turn', () => {
    const chat = toChatRequest({
      ...base,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 't1', name: 'w', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 't2', name: 'w', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Thanks.' },
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: '3C' }] },
            { type: 'tool_result', tool_use_id: 't2', content: 'timeout', is_error: true },
          ],
        },
      ],
    });
    expect(chat.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'w', arguments: '{"city":"Oslo"}' } },
          { id: 't2', type: 'function', function: { name: 'w', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: '3C' },
      { role: 'tool', tool_call_id: 't2', content: 'Error: timeout' },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it('maps every tool choice', () => {
    const tools = [{ name: 'w', input_schema: { type: 'object' } }];
    const choice = (tool_choice: MessagesRequest['tool_choice']) =>
      toChatRequest({ ...base, tools, tool_choice });
    expect(choice({ type: 'auto' }).tool_choice).toBe('auto');
    expect(choice({ type: 'any' }).tool_choice).toBe('required');
    expect(choice({ type: 'none' }).tool_choice).toBe('none');
    expect(choice({ type: 'tool', name: 'w', disable_parallel_tool_use: true })).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'w' } },
      parallel_tool_calls: false,
    });
  });

  it('reads a text document as text and refuses what the answer depends on but cannot carry', () => {
    const doc = toChatRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              title: 'Notes',
              source: { type: 'text', media_type: 'text/plain', data: 'Buy milk' },
            },
          ],
        },
      ],
    });
    expect(doc.messages).toEqual([{ role: 'user', content: 'Notes\n\nBuy milk' }]);
    expect(refusal(() => toChatRequest({ ...base, top_k: 5 }))).toEqual({
      code: 'unsupported_capability',
      param: 'top_k',
    });
    expect(
      refusal(() =>
        toChatRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }),
      ),
    ).toEqual({ code: 'unsupported_capability', param: 'tools[0]' });
    expect(
      refusal(() =>
        toChatRequest({
          ...base,
          messages: [
            {
              role: 'user',
              content: [
                {
                  type: 'document',
                  source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' },
                },
              ],
            },
          ],
        }),
      ),
    ).toEqual({ code: 'unsupported_capability', param: 'messages[0].content[0]' });
    expect(
      refusal(() =>
        toChatRequest({
          ...base,
          output_config: { format: { type: 'json_schema', schema: {} } },
        }),
      ),
    ).toEqual({ code: 'unsupported_capability', param: 'output_config.format' });
  });
});

describe(toChatPrompt.name, () => {
  it('keeps the system blocks, joined, and the tools', () => {
    expect(
      toChatPrompt({
        model: 'm',
        system: [
          { type: 'text', text: 'A', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'B' },
        ],
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [{ name: 'w', description: 'd', input_schema: { type: 'object' } }],
      }),
    ).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'A\n\nB' },
        { role: 'user', content: 'Hi' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'w', description: 'd', parameters: { type: 'object' } },
        },
      ],
    });
  });
});
