import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatMessage } from '../llm-provider.types.js';
import { toAnthropicConversation } from './anthropic-messages.mapper.js';

function refusal(messages: ChatMessage[]): GatewayError {
  try {
    toAnthropicConversation(messages);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the mapper to refuse the conversation');
}

const image = (url: string): ChatMessage => ({
  role: 'user',
  content: [{ type: 'image_url', image_url: { url } }],
});

describe(toAnthropicConversation.name, () => {
  it('moves system and developer messages, wherever they are, to the top-level system', () => {
    expect(
      toAnthropicConversation([
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'assistant', content: 'Salut.' },
        { role: 'user', content: 'Encore ?' },
      ]),
    ).toEqual({
      system: 'Be terse.\n\nAnswer in French.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Salut.' },
        { role: 'user', content: 'Encore ?' },
      ],
    });
  });

  it('leaves system out when there is none', () => {
    expect(toAnthropicConversation([{ role: 'user', content: 'Hi' }])).toEqual({
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('merges consecutive same-role messages into one turn, since roles must alternate', () => {
    const { messages } = toAnthropicConversation([
      { role: 'user', content: 'First.' },
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
      { role: 'assistant', content: 'A.' },
      { role: 'assistant', content: 'B.' },
    ]);

    expect(messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'First.' },
          { type: 'text', text: 'Second.' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'A.' },
          { type: 'text', text: 'B.' },
        ],
      },
    ]);
  });

  it('maps tool calls to tool_use and tool results to tool_result blocks in one user turn', () => {
    const { messages } = toAnthropicConversation([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C sunny', name: 'get_weather' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '14:05' }] },
      { role: 'user', content: 'Thanks!' },
    ]);

    expect(messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C sunny' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [{ type: 'text', text: '14:05' }],
          },
          { type: 'text', text: 'Thanks!' },
        ],
      },
    ]);
  });

  it('sends an assistant turn with only tool calls, and an empty tool result, without text', () => {
    const { messages } = toAnthropicConversation([
      { role: 'user', content: 'Ping?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'ping', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: '' },
    ]);

    expect(messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ping', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] },
    ]);
  });

  it('refuses tool call arguments that are not a JSON object, naming them', () => {
    const error = refusal([
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1,2]' } }],
      },
    ]);
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('maps images: data URLs to base64 sources and https URLs to url sources', () => {
    const { messages } = toAnthropicConversation([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: 'data:image/PNG;base64,iVBO\nRw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
        ],
      },
    ]);

    expect(messages[0].content).toEqual([
      { type: 'text', text: 'Compare these.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('refuses images Anthropic cannot take, naming the part', () => {
    const bmp = refusal([image('data:image/bmp;base64,Qk0=')]);
    expect(bmp.code).toBe(ErrorCode.InvalidRequest);
    expect(bmp.param).toBe('messages[0].content[0].image_url');
    expect(bmp.message).toContain('image/bmp');
    expect(refusal([image('http://example.com/cat.png')]).code).toBe(ErrorCode.InvalidRequest);
    expect(refusal([image('ftp://example.com/cat.png')]).param).toBe(
      'messages[0].content[0].image_url',
    );
  });

  it('refuses images in system and assistant messages', () => {
    const inSystem = refusal([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'x' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
      { role: 'user', content: 'Hi' },
    ]);
    expect(inSystem.param).toBe('messages[0].content[1]');
    expect(inSystem.code).toBe(ErrorCode.UnsupportedCapability);

    const inAssistant = refusal([
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
      },
    ]);
    expect(inAssistant.param).toBe('messages[1].content[0]');
  });

  it('refuses participant names, except on tool messages where tool_call_id already says it', () => {
    const error = refusal([{ role: 'assistant', content: 'Hi', name: 'bot' }]);
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe('messages[0].name');
  });
});
