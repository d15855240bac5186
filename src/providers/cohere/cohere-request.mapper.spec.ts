import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest, FunctionTool } from '../llm-provider.types.js';
import { toCohereChatBody, toCohereEmbedBody } from './cohere-request.mapper.js';

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
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const clock: FunctionTool = { type: 'function', function: { name: 'get_time' } };

const base: ChatCompletionRequest = {
  model: 'command-r-plus',
  messages: [{ role: 'user', content: 'Hi' }],
};

describe('Cohere request mapper', () => {
  describe(toCohereChatBody.name, () => {
    it('translates every sampling field to its Cohere name', () => {
      const body = toCohereChatBody(
        {
          ...base,
          max_tokens: 64,
          temperature: 0.3,
          top_p: 0.5,
          stop: ['END', '\n\n'],
          seed: 7,
          frequency_penalty: 0.2,
          presence_penalty: 0.1,
        },
        'command-r-plus',
        false,
      );

      expect(body).toEqual({
        model: 'command-r-plus',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: false,
        max_tokens: 64,
        temperature: 0.3,
        p: 0.5,
        stop_sequences: ['END', '\n\n'],
        seed: 7,
        frequency_penalty: 0.2,
        presence_penalty: 0.1,
      });
    });

    it('prefers max_completion_tokens, wraps a single stop string and asks to stream', () => {
      const body = toCohereChatBody(
        { ...base, max_tokens: 10, max_completion_tokens: 20, stop: 'END' },
        'command-r',
        true,
      );
      expect(body).toMatchObject({ max_tokens: 20, stop_sequences: ['END'], stream: true });
    });

    it.each([
      [1, 0.99],
      [0, 0.01],
    ])('keeps top_p %d inside the range Cohere accepts (%d)', (topP, p) => {
      expect(toCohereChatBody({ ...base, top_p: topP }, 'command-r', false).p).toBe(p);
    });

    it('drops what does not change the answer (user, metadata, names) and nothing else', () => {
      const body = toCohereChatBody(
        {
          ...base,
          messages: [{ role: 'user', content: 'Hi', name: 'ana' }],
          user: 'u-1',
          metadata: { team: 'a' },
          response_format: { type: 'text' },
          // Meaningless without tools, so nothing is lost.
          parallel_tool_calls: false,
        },
        'command-r',
        false,
      );
      expect(body).toEqual({
        model: 'command-r',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: false,
      });
    });

    it('maps every role, with assistant text beside tool calls as the tool plan', () => {
      const body = toCohereChatBody(
        {
          ...base,
          messages: [
            { role: 'system', content: 'Be terse.' },
            { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Weather?' },
                {
                  type: 'image_url',
                  image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
                },
              ],
            },
            {
              role: 'assistant',
              content: 'I will check.',
              tool_calls: [
                {
                  id: 'get_weather_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                },
                {
                  id: 'get_time_2',
                  type: 'function',
                  function: { name: 'get_time', arguments: '' },
                },
              ],
            },
            { role: 'tool', tool_call_id: 'get_weather_1', content: '18C sunny' },
            {
              role: 'tool',
              tool_call_id: 'get_time_2',
              content: [{ type: 'text', text: '09:00' }],
            },
            { role: 'assistant', content: 'It is 18C at 09:00.' },
            { role: 'assistant', content: null, tool_calls: [] },
          ],
        },
        'command-r-plus',
        false,
      );

      expect(body.messages).toEqual([
        { role: 'system', content: 'Be terse.' },
        { role: 'system', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            {
              type: 'image_url',
              image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
            },
          ],
        },
        {
          role: 'assistant',
          tool_plan: 'I will check.',
          tool_calls: [
            {
              id: 'get_weather_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'get_time_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'get_weather_1', content: '18C sunny' },
        { role: 'tool', tool_call_id: 'get_time_2', content: [{ type: 'text', text: '09:00' }] },
        { role: 'assistant', content: 'It is 18C at 09:00.' },
        { role: 'assistant', content: '' },
      ]);
    });

    it('sends assistant tool calls without a plan when there was no text', () => {
      const body = toCohereChatBody(
        {
          ...base,
          messages: [
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: 'get_time', arguments: '{}' } },
              ],
            },
          ],
        },
        'command-r',
        false,
      );
      expect(body.messages).toEqual([
        {
          role: 'assistant',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
      ]);
    });

    it('refuses an image outside a user message', () => {
      const error = refusal(() =>
        toCohereChatBody(
          {
            ...base,
            messages: [
              {
                role: 'system',
                content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }],
              },
            ],
          },
          'command-r',
          false,
        ),
      );
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[0].content');
    });

    describe('tools', () => {
      it('maps function tools and fills the parameters Cohere requires', () => {
        const body = toCohereChatBody({ ...base, tools: [weather, clock] }, 'command-r', false);
        expect(body.tools).toEqual([
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Current weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          },
          {
            type: 'function',
            function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
          },
        ]);
        expect(body).not.toHaveProperty('tool_choice');
        expect(body).not.toHaveProperty('strict_tools');
      });

      it.each([
        ['auto', undefined],
        ['required', 'REQUIRED'],
        ['none', 'NONE'],
      ] as const)('maps tool_choice %s to %s', (choice, expected) => {
        const body = toCohereChatBody(
          { ...base, tools: [weather], tool_choice: choice },
          'command-r',
          false,
        );
        expect(body.tool_choice).toBe(expected);
      });

      it('expresses a named function as that tool alone, required', () => {
        const body = toCohereChatBody(
          {
            ...base,
            tools: [weather, clock],
            tool_choice: { type: 'function', function: { name: 'get_time' } },
          },
          'command-r',
          false,
        );
        expect(body.tool_choice).toBe('REQUIRED');
        expect(body.tools).toEqual([
          {
            type: 'function',
            function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
          },
        ]);
      });

      it('refuses a named function that is not among the tools', () => {
        const error = refusal(() =>
          toCohereChatBody(
            {
              ...base,
              tools: [weather],
              tool_choice: { type: 'function', function: { name: 'nope' } },
            },
            'command-r',
            false,
          ),
        );
        expect(error.param).toBe('tool_choice');
        expect(error.status).toBe(400);
      });

      it('asks strict tools only when every tool is strict', () => {
        const strict = (tool: FunctionTool): FunctionTool => ({
          ...tool,
          function: { ...tool.function, strict: true },
        });
        expect(
          toCohereChatBody({ ...base, tools: [strict(weather), strict(clock)] }, 'c', false)
            .strict_tools,
        ).toBe(true);
        expect(
          toCohereChatBody({ ...base, tools: [strict(weather), clock] }, 'c', false),
        ).not.toHaveProperty('strict_tools');
      });

      it('sends no tool_choice without tools', () => {
        expect(toCohereChatBody({ ...base, tool_choice: 'none' }, 'c', false)).not.toHaveProperty(
          'tool_choice',
        );
      });
    });

    it.each([
      [
        { tools: [weather], parallel_tool_calls: false },
        'parallel_tool_calls',
        'unsupported_capability',
      ],
      [{ frequency_penalty: -0.5 }, 'frequency_penalty', 'validation_error'],
      [{ presence_penalty: 1.5 }, 'presence_penalty', 'validation_error'],
      [
        { response_format: { type: 'json_object' } },
        'response_format',
        'unsupported_response_format',
      ],
    ] as const)('refuses %j, naming %s', (extra, param, code) => {
      const error = refusal(() =>
        toCohereChatBody({ ...base, ...(extra as Partial<ChatCompletionRequest>) }, 'c', false),
      );
      expect(error.param).toBe(param);
      expect(error.code).toBe(code);
      expect(error.status).toBe(400);
    });
  });

  describe(toCohereEmbedBody.name, () => {
    it('sends texts, the configured input type and float embeddings', () => {
      expect(
        toCohereEmbedBody(
          { model: 'embed-english-v3.0', input: 'hello' },
          'embed-english-v3.0',
          'search_document',
        ),
      ).toEqual({
        model: 'embed-english-v3.0',
        texts: ['hello'],
        input_type: 'search_document',
        embedding_types: ['float'],
      });
      expect(
        toCohereEmbedBody(
          { model: 'x', input: ['a', 'b'], user: 'u' },
          'embed-v4.0',
          'search_query',
        ),
      ).toEqual({
        model: 'embed-v4.0',
        texts: ['a', 'b'],
        input_type: 'search_query',
        embedding_types: ['float'],
      });
    });

    it('maps dimensions to output_dimension on models that have it', () => {
      expect(
        toCohereEmbedBody({ model: 'x', input: 'a', dimensions: 256 }, 'embed-v4.0', 'clustering'),
      ).toMatchObject({ output_dimension: 256 });
    });

    it('refuses dimensions on a fixed-size model, and token-id inputs', () => {
      const dims = refusal(() =>
        toCohereEmbedBody(
          { model: 'x', input: 'a', dimensions: 256 },
          'embed-english-v3.0',
          'search_document',
        ),
      );
      expect(dims.param).toBe('dimensions');
      const tokens = refusal(() =>
        toCohereEmbedBody({ model: 'x', input: [1, 2, 3] }, 'embed-v4.0', 'search_document'),
      );
      expect(tokens.param).toBe('input');
      expect(tokens.code).toBe('unsupported_capability');
    });
  });
});
