import { MAX_TOOL_CALL_ID_LENGTH } from '../llm-provider.types.js';
import { checkGenerateRequest } from '../../../test/fakes/fake-gemini.requests.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { InlineImage } from '../http/image-fetcher.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  FunctionTool,
  ImagePart,
} from '../llm-provider.types.js';
import { imagesToInline, type InlinedImages, toGeminiChatBody } from './gemini-request.mapper.js';
import { SKIP_THOUGHT_SIGNATURE, toolCallId } from './gemini-tool-call-id.mapper.js';

const SIGNATURE = 'EtoFCtUFAdHtim+9v0Q3Zx0=';
const none: InlinedImages = new Map();

function request(
  messages: ChatMessage[],
  extra: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest {
  return { model: 'gemini-2.0-flash', messages, ...extra };
}

function refusal(body: () => unknown): GatewayError {
  try {
    body();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** The strict fake judges the body as Gemini would. */
function expectGeminiAccepts(body: unknown, signatures: string[] = []) {
  const checked = checkGenerateRequest(body, new Set(signatures));
  if (!checked.ok) throw new Error(`the fake refused the body: ${checked.error.error.message}`);
}

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
};

describe(toGeminiChatBody.name, () => {
  it('maps a whole tool conversation: system, model role, names recovered, signature restored', () => {
    const parisId = toolCallId('AAAAAAAAAAAAAAAA', SIGNATURE);
    const romeId = toolCallId('BBBBBBBBBBBBBBBB', undefined);
    const body = toGeminiChatBody(
      request(
        [
          { role: 'system', content: 'Be terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: parisId,
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
              { id: romeId, type: 'function', function: { name: 'get_time', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: romeId, content: '14:02' },
          { role: 'tool', tool_call_id: parisId, content: '{"temp":18,"sky":"sunny"}' },
          { role: 'assistant', content: 'Paris: 18C and sunny; Rome: 14:02.' },
          { role: 'user', content: 'Thanks!', name: 'ada' },
        ],
        { user: 'u-1', metadata: { team: 'x' }, tools: [weather] },
      ),
      none,
    );

    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Use metric units.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
        {
          role: 'model',
          parts: [
            {
              functionCall: { name: 'get_weather', args: { city: 'Paris' } },
              thoughtSignature: SIGNATURE,
            },
            { functionCall: { name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', response: { result: '14:02' } } },
            { functionResponse: { name: 'get_weather', response: { temp: 18, sky: 'sunny' } } },
          ],
        },
        { role: 'model', parts: [{ text: 'Paris: 18C and sunny; Rome: 14:02.' }] },
        { role: 'user', parts: [{ text: 'Thanks!' }] },
      ],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather in a city',
              parameters: {
                type: 'OBJECT',
                properties: {
                  city: { type: 'STRING' },
                  unit: { type: 'STRING', enum: ['c', 'f'] },
                },
                required: ['city'],
                propertyOrdering: ['city', 'unit'],
              },
            },
          ],
        },
      ],
    });
    expectGeminiAccepts(body, [SIGNATURE]);
  });

  it('restores a signature too long to carry as the documented skip value', () => {
    const id = toolCallId('AAAAAAAAAAAAAAAA', 'A'.repeat(MAX_TOOL_CALL_ID_LENGTH));
    const body = toGeminiChatBody(
      request([
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          tool_calls: [
            { id, type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: id, content: 'sunny' },
      ]),
      none,
    );
    expect((body.contents as any)[1].parts[0].thoughtSignature).toBe(SKIP_THOUGHT_SIGNATURE);
    expectGeminiAccepts(body);
  });

  it.each([
    ['plain text', 'sunny', { result: 'sunny' }],
    ['a JSON array', '[1,2]', { result: [1, 2] }],
    ['a JSON string', '"quoted"', { result: 'quoted' }],
    ['a JSON object', '{"ok":true}', { ok: true }],
  ])('wraps a tool result given as %s into the object Gemini wants', (_name, content, response) => {
    const body = toGeminiChatBody(
      request([
        { role: 'user', content: 'Go' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: content }] },
      ]),
      none,
    );
    expect((body.contents as any)[2].parts[0].functionResponse).toEqual({ name: 'f', response });
  });

  it('merges consecutive turns of one role, since Gemini wants them to alternate', () => {
    const body = toGeminiChatBody(
      request([
        { role: 'user', content: 'One.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Two.' },
            { type: 'text', text: '' },
          ],
        },
      ]),
      none,
    );
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'One.' }, { text: 'Two.' }] }]);
  });

  it('sends user images inline, and lists them for inlining with their field', () => {
    const image: ImagePart = {
      type: 'image_url',
      image_url: { url: 'https://example.com/cat.png' },
    };
    const req = request([
      { role: 'system', content: 'Describe.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] },
    ]);
    const inline: InlineImage = { mimeType: 'image/png', data: 'iVBORw0KGgo=' };

    expect(imagesToInline(req)).toEqual([
      { part: image, param: 'messages[1].content[1].image_url' },
    ]);
    const body = toGeminiChatBody(req, new Map([[image, inline]]));
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'What is this?' }, { inlineData: inline }] },
    ]);
    expectGeminiAccepts(body);
  });

  it('maps sampling parameters into generationConfig', () => {
    const body = toGeminiChatBody(
      request([{ role: 'user', content: 'Hi' }], {
        max_tokens: 100,
        max_completion_tokens: 50,
        temperature: 0.3,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
      }),
      none,
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 50,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
    expectGeminiAccepts(body);
  });

  describe('response_format', () => {
    const hi: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

    it('asks for JSON for json_object', () => {
      const body = toGeminiChatBody(
        request(hi, { response_format: { type: 'json_object' } }),
        none,
      );
      expect(body.generationConfig).toEqual({ responseMimeType: 'application/json' });
    });

    it('sends a json_schema as responseSchema in Gemini’s subset', () => {
      const body = toGeminiChatBody(
        request(hi, {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'city',
              strict: true,
              schema: {
                $schema: 'http://json-schema.org/draft-07/schema#',
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
                additionalProperties: false,
              },
            },
          },
        }),
        none,
      );
      expect(body.generationConfig).toEqual({
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT',
          properties: { city: { type: 'STRING' } },
          required: ['city'],
        },
      });
      expectGeminiAccepts(body);
    });

    it.each([
      ['without a schema', undefined],
      ['with a free-form object', { type: 'object' }],
    ])('falls back to JSON mode for a json_schema %s', (_name, schema) => {
      const body = toGeminiChatBody(
        request(hi, {
          response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
        }),
        none,
      );
      expect(body.generationConfig).toEqual({ responseMimeType: 'application/json' });
    });

    it('adds nothing for text', () => {
      const body = toGeminiChatBody(request(hi, { response_format: { type: 'text' } }), none);
      expect(body).not.toHaveProperty('generationConfig');
    });

    it('refuses a schema Gemini cannot express with 400 unsupported_response_format', () => {
      const error = refusal(() =>
        toGeminiChatBody(
          request(hi, {
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: 'x',
                schema: { type: 'object', properties: { a: { allOf: [{ type: 'string' }] } } },
              },
            },
          }),
          none,
        ),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.UnsupportedResponseFormat);
      expect(error.param).toBe('response_format');
      expect(error.message).toBe(
        "Provider 'gemini' cannot express this response_format json_schema: 'allOf' is not supported (at #/properties/a/allOf).",
      );
    });
  });

  it.each([
    [
      'a tool message answering no earlier call',
      [
        { role: 'user', content: 'Hi' },
        { role: 'tool', tool_call_id: 'ghost', content: 'x' },
      ],
      ErrorCode.InvalidRequest,
      'messages[1].tool_call_id',
    ],
    [
      'tool-call arguments that are not a JSON object',
      [
        { role: 'user', content: 'Hi' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }],
        },
      ],
      ErrorCode.InvalidRequest,
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'an image in a system message',
      [
        {
          role: 'system',
          content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }],
        },
        { role: 'user', content: 'Hi' },
      ],
      ErrorCode.UnsupportedCapability,
      'messages[0].content[0]',
    ],
    [
      'a conversation of system messages only',
      [{ role: 'system', content: 'Be terse.' }],
      ErrorCode.InvalidRequest,
      'messages',
    ],
  ] as const)('refuses %s with a 400 naming the field', (_name, messages, code, param) => {
    const error = refusal(() =>
      toGeminiChatBody(request(messages as unknown as ChatMessage[]), none),
    );
    expect(error.code).toBe(code);
    expect(error.param).toBe(param);
  });
});
