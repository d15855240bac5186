import { describe, expect, it } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  RequestValidationPipe,
  validateWithClassValidator,
} from '../../common/validation/request-validation.pipe.js';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../providers/llm-provider.types.js';
import { checkChatCompletionRequest } from './chat-completion-request.validator.js';
import { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { checkEmbeddingRequest } from './embedding-request.validator.js';
import { EmbeddingRequestDto } from './embedding-request.dto.js';

/**
 * The hand-written checks against the class-validator DTOs they replace on the hot path, on
 * bodies picked by hand (request-validators.generated.spec.ts adds thousands of generated ones):
 * both paths must accept the same data, refuse with the same code, param and message, or throw
 * the same error (class-transformer throws on some bodies).
 */

type Body = Record<string, unknown>;
type Outcome =
  | { accepted: unknown }
  | { code: string; param: string | null; message: string }
  | { threw: string };

const pipe = new RequestValidationPipe();

function outcome(run: () => unknown): Outcome {
  try {
    return { accepted: run() };
  } catch (err) {
    if (err instanceof GatewayError)
      return { code: err.code, param: err.param, message: err.message };
    return { threw: String(err) };
  }
}

/** A deep copy that keeps `__proto__` an own key, as JSON.parse leaves it. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: clone(item), ...OWN });
  }
  return out as T;
}
const OWN = { enumerable: true, writable: true, configurable: true } as const;

/** Through the pipe, which uses the hand-written check; each path gets its own copy. */
const viaPipe = (dto: Type<object>, body: Body) =>
  outcome(() => pipe.transform(clone(body), { type: 'body', metatype: dto }));
/** The reference: class-validator, with top-level nulls removed as the pipe removes them. */
const viaClassValidator = (dto: Type<object>, body: Body) =>
  outcome(() => {
    const accepted = validateWithClassValidator(dto, clone(body)) as Record<string, unknown>;
    for (const key of Object.keys(accepted)) if (accepted[key] === null) delete accepted[key];
    return accepted;
  });

const user = { role: 'user', content: 'Hello' };
const chat = (extra: Body = {}): Body => ({ model: 'mock/x', messages: [user], ...extra });
const withMessage = (message: unknown, extra: Body = {}) => chat({ messages: [message], ...extra });
const assistantCalling = (...calls: unknown[]) => ({
  role: 'assistant',
  content: null,
  tool_calls: calls,
});
const call = (over: Body = {}) => ({
  id: 'call_1',
  type: 'function',
  function: { name: 'get_weather', arguments: '{}' },
  ...over,
});
const tool = (fn: unknown = { name: 'get_weather', parameters: { type: 'object' } }) => ({
  type: 'function',
  function: fn,
});
const long = (n: number) => 'a'.repeat(n);
/** 200 characters for validator.js (surrogate pairs and variation sequences count once). */
/** Every contract 4.2 OpenAI option, each with a valid value. */
const OPENAI_OPTIONS: Body = {
  reasoning_effort: 'high',
  verbosity: 'low',
  service_tier: 'flex',
  store: true,
  prediction: { type: 'content', content: 'draft' },
  modalities: ['text', 'audio'],
  audio: { format: 'mp3', voice: 'alloy' },
  web_search_options: {
    search_context_size: 'low',
    user_location: { type: 'approximate', approximate: { city: 'Paris', country: 'FR' } },
  },
  logprobs: true,
  top_logprobs: 2,
  logit_bias: { '50256': -100 },
  prompt_cache_key: 'k',
  safety_identifier: 'user-hash',
};

const emoji = '😀'.repeat(100) + 'e\uFE0F'.repeat(100);

const CHAT_BODIES: Array<[string, Body]> = [
  ['a minimal body', chat()],
  [
    'every optional field set',
    chat({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 10,
      max_completion_tokens: 5,
      temperature: 0.5,
      top_p: 1,
      frequency_penalty: -2,
      presence_penalty: 2,
      stop: ['a', 'b'],
      seed: -3,
      user: 'u',
      response_format: { type: 'json_object' },
      tools: [tool()],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      metadata: { a: 'b' },
      n: 1,
      ...OPENAI_OPTIONS,
    }),
  ],
  [
    'every optional field null',
    chat(
      Object.fromEntries(
        [
          'stream',
          'stream_options',
          'max_tokens',
          'max_completion_tokens',
          'temperature',
          'top_p',
          'frequency_penalty',
          'presence_penalty',
          'stop',
          'seed',
          'user',
          'response_format',
          'tools',
          'tool_choice',
          'parallel_tool_calls',
          'metadata',
          'n',
          ...Object.keys(OPENAI_OPTIONS),
        ].map((k) => [k, null]),
      ),
    ),
  ],
  ['an empty body', {}],
  ['an unknown top-level field', chat({ logprobs_extra: true })],
  ['unknown fields before invalid ones', chat({ temperature: 9, top_k: 2, functions: [] })],
  ['n above 1', chat({ n: 4 })],
  ['an unknown reasoning_effort', chat({ reasoning_effort: 'maximal' })],
  ['reasoning_effort xhigh', chat({ reasoning_effort: 'xhigh' })],
  ['an unknown verbosity', chat({ verbosity: 'loud' })],
  ['an unknown service_tier', chat({ service_tier: 'gold' })],
  ['store as a string', chat({ store: 'yes' })],
  ['a prediction of the wrong type', chat({ prediction: { type: 'text', content: 'x' } })],
  [
    'a prediction with text parts',
    chat({ prediction: { type: 'content', content: [{ type: 'text', text: 'x' }] } }),
  ],
  [
    'a prediction with an image part',
    chat({ prediction: { type: 'content', content: [{ type: 'image_url' }] } }),
  ],
  ['an empty modalities list', chat({ modalities: [] })],
  ['an unknown modality', chat({ modalities: ['text', 'video'] })],
  ['a repeated modality', chat({ modalities: ['text', 'text'] })],
  ['audio without a voice', chat({ audio: { format: 'mp3' } })],
  ['audio in an unknown format', chat({ audio: { format: 'ogg', voice: 'alloy' } })],
  ['audio with a custom voice', chat({ audio: { format: 'wav', voice: { id: 'voice_1' } } })],
  [
    'web search with an unknown size',
    chat({ web_search_options: { search_context_size: 'huge' } }),
  ],
  [
    'web search with a bad location',
    chat({ web_search_options: { user_location: { type: 'exact' } } }),
  ],
  [
    'web search with a numeric city',
    chat({
      web_search_options: { user_location: { type: 'approximate', approximate: { city: 5 } } },
    }),
  ],
  ['logprobs as a number', chat({ logprobs: 1 })],
  ['top_logprobs without logprobs', chat({ top_logprobs: 3 })],
  ['top_logprobs above 20', chat({ logprobs: true, top_logprobs: 21 })],
  ['top_logprobs as a fraction', chat({ logprobs: true, top_logprobs: 1.5 })],
  ['logit_bias with a word key', chat({ logit_bias: { hello: 1 } })],
  ['logit_bias out of range', chat({ logit_bias: { '50256': -101 } })],
  ['logit_bias as an array', chat({ logit_bias: [1] })],
  ['a long prompt_cache_key', chat({ prompt_cache_key: long(1025) })],
  ['a long safety_identifier', chat({ safety_identifier: long(65) })],
  ['a numeric safety_identifier', chat({ safety_identifier: 7 })],
  ['a numeric unknown field', chat({ 5: 1, foo: 2 })],
  ['an unknown nested field', chat({ stream_options: { include_usage: true, extra: 1 } })],
  ['a numeric unknown nested field', chat({ stream_options: { 7: 1 } })],
  ['an unknown message field', withMessage({ ...user, audio: {} })],
  ['a model that is not a string', chat({ model: 5 })],
  ['an empty model', chat({ model: '' })],
  ['a model of 256 characters', chat({ model: long(256) })],
  ['a model of 257 characters', chat({ model: long(257) })],
  ['a model of 200 wide characters', chat({ model: emoji })],
  ['a model with a lone high surrogate', chat({ model: 'mock/\ud800x' })],
  ['a model with a lone low surrogate', chat({ model: 'mock/x\udc00' })],
  ['a model with a reversed surrogate pair', chat({ model: '\ude00\ud83d' })],
  ['a model with a line break', chat({ model: 'mock/a\r\nx-evil: 1' })],
  ['a model with DEL and a C1 control', chat({ model: 'mock/\u007f\u0085' })],
  ['a model of 257 characters with a control', chat({ model: long(256) + '\u0000' })],
  ['a non-ASCII model', chat({ model: 'mock/modèle 模型 😀' })],
  ['no messages', chat({ messages: [] })],
  ['messages as a string', chat({ messages: 'hi' })],
  ['messages as an object', chat({ messages: user })],
  ['a message that is a string', chat({ messages: ['hi'] })],
  ['a message that is null', chat({ messages: [user, null] })],
  ['messages nested in an array', chat({ messages: [[user], [user, { role: 'x' }]] })],
  ['an unknown role', withMessage({ role: 'wizard', content: 'x' })],
  ['no content', withMessage({ role: 'user' })],
  ['null content on a user message', withMessage({ role: 'user', content: null })],
  ['content as a number', withMessage({ role: 'user', content: 5 })],
  [
    'text and image parts',
    withMessage({
      role: 'user',
      content: [
        { type: 'text', text: 'x' },
        { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
        { type: 'image_url', image_url: 'https://x/z.png' },
      ],
    }),
  ],
  ['a part that is not an object', withMessage({ role: 'user', content: ['x'] })],
  ['a text part without text', withMessage({ role: 'user', content: [{ type: 'text' }] })],
  [
    'an image part without url',
    withMessage({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }),
  ],
  [
    'an image part with a bad detail',
    withMessage({
      role: 'user',
      content: [{ type: 'image_url', image_url: { url: 'u', detail: 'max' } }],
    }),
  ],
  [
    'an image part with null image_url',
    withMessage({ role: 'user', content: [{ type: 'image_url', image_url: null }] }),
  ],
  [
    'a part of unknown type with tokens',
    withMessage({ role: 'user', content: [{ type: 'a$property$target$value' }] }),
  ],
  ['a name of 257 characters', withMessage({ ...user, name: long(257) })],
  ['a name that is a number', withMessage({ ...user, name: 1 })],
  [
    'refusal null and a string',
    chat({
      messages: [
        { ...user, refusal: null },
        { role: 'assistant', content: 'x', refusal: 'no' },
      ],
    }),
  ],
  ['refusal as a number', withMessage({ ...user, refusal: 1 })],
  ['an assistant calling tools', withMessage(assistantCalling(call()))],
  ['an assistant with empty tool_calls and no content', withMessage(assistantCalling())],
  ['tool_calls on a user message', withMessage({ ...user, tool_calls: [] })],
  ['tool_calls that are not an array', withMessage({ ...user, tool_calls: 'x' })],
  [
    'tool_calls null on an assistant',
    withMessage({ role: 'assistant', content: 'x', tool_calls: null }),
  ],
  ['a tool call that is a string', withMessage(assistantCalling('x'))],
  ['a tool call without function', withMessage(assistantCalling(call({ function: undefined })))],
  ['a tool call with function null', withMessage(assistantCalling(call({ function: null })))],
  [
    'a tool call with function as an array',
    withMessage(assistantCalling(call({ function: [[{ name: 'f', arguments: '' }], 5] }))),
  ],
  [
    'a tool call with a bad function name',
    withMessage(assistantCalling(call({ function: { name: 'bad name', arguments: '{}' } }))),
  ],
  [
    'a tool call with numeric arguments',
    withMessage(assistantCalling(call({ function: { name: 'f', arguments: 1 } }))),
  ],
  [
    'a tool call with an unknown function field',
    withMessage(assistantCalling(call({ function: { name: 'f', arguments: '', x: 1 } }))),
  ],
  ['a tool call of another type', withMessage(assistantCalling(call({ type: 'code' })))],
  [
    'a tool call id at the limit',
    withMessage(assistantCalling(call({ id: long(MAX_TOOL_CALL_ID_LENGTH) }))),
  ],
  [
    'a tool call id over the limit',
    withMessage(assistantCalling(call({ id: long(MAX_TOOL_CALL_ID_LENGTH + 1) }))),
  ],
  ['a tool call id that is a number', withMessage(assistantCalling(call({ id: 7 })))],
  ['a tool answer', withMessage({ role: 'tool', content: 'sunny', tool_call_id: 'call_1' })],
  ['a tool answer without tool_call_id', withMessage({ role: 'tool', content: 'x' })],
  [
    'a tool answer with a long tool_call_id',
    withMessage({ role: 'tool', content: 'x', tool_call_id: long(MAX_TOOL_CALL_ID_LENGTH + 1) }),
  ],
  [
    'tool_call_id of any shape on a user message',
    withMessage({ ...user, tool_call_id: { any: [1] } }),
  ],
  ['stream as a string', chat({ stream: 'yes' })],
  ['stream_options as an array', chat({ stream_options: [] })],
  ['include_usage as a string', chat({ stream_options: { include_usage: 'yes' } })],
  ['max_tokens as a string', chat({ max_tokens: 'abc' })],
  ['max_tokens 0', chat({ max_tokens: 0, max_completion_tokens: 1.5 })],
  ['max_completion_tokens 1.5', chat({ max_completion_tokens: 1.5 })],
  ['temperature 2 with top_p 1.01', chat({ temperature: 2, top_p: 1.01 })],
  ['temperature as a string', chat({ temperature: '1' })],
  ['temperature below 0', chat({ temperature: -0.1 })],
  ['penalties at and below their bounds', chat({ frequency_penalty: -2, presence_penalty: -2.5 })],
  ['stop as a string', chat({ stop: 'END' })],
  ['stop with five strings', chat({ stop: ['a', 'b', 'c', 'd', 'e'] })],
  ['stop with a number', chat({ stop: ['a', 1] })],
  ['seed 1.5', chat({ seed: 1.5 })],
  ['user of 513 characters', chat({ user: long(513) })],
  [
    'a json_schema format',
    chat({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
      },
    }),
  ],
  ['a json_schema format without json_schema', chat({ response_format: { type: 'json_schema' } })],
  [
    'a text format with json_schema null',
    chat({ response_format: { type: 'text', json_schema: null } }),
  ],
  [
    'a text format with a json_schema',
    chat({ response_format: { type: 'text', json_schema: { name: 'x' } } }),
  ],
  ['an unknown format type', chat({ response_format: { type: 'yaml' } })],
  ['response_format as a string', chat({ response_format: 'json' })],
  [
    'a json_schema with a bad name',
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'a b' } } }),
  ],
  [
    'a json_schema with schema as an array',
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: [] } } }),
  ],
  [
    'a json_schema with an unknown field',
    chat({ response_format: { type: 'json_schema', json_schema: { name: 'a', extra: 1 } } }),
  ],
  ['tools as an object', chat({ tools: tool() })],
  ['129 tools', chat({ tools: Array.from({ length: 129 }, () => tool()) })],
  ['a tool of another type', chat({ tools: [{ ...tool(), type: 'code' }] })],
  ['a tool without function', chat({ tools: [{ type: 'function' }] })],
  ['a tool with a bad name', chat({ tools: [tool(), tool({ name: 'x'.repeat(65) })] })],
  ['a tool with parameters as a string', chat({ tools: [tool({ name: 'f', parameters: 'x' })] })],
  ['tools nested in an array', chat({ tools: [[tool()]] })],
  ['a tool that is a number', chat({ tools: [1] })],
  [
    'tool_choice naming a function',
    chat({ tool_choice: { type: 'function', function: { name: 'f' } } }),
  ],
  ['tool_choice as an unknown mode', chat({ tool_choice: 'sometimes' })],
  ['tool_choice without a name', chat({ tool_choice: { type: 'function', function: {} } })],
  ['parallel_tool_calls as a number', chat({ parallel_tool_calls: 1 })],
  [
    'metadata with 16 keys',
    chat({ metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])) }),
  ],
  [
    'metadata with 17 keys',
    chat({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }),
  ],
  ['metadata with a number', chat({ metadata: { a: 1 } })],
  ['metadata as an array', chat({ metadata: ['a'] })],
  ['n 129', chat({ n: 129 })],
  ['n as a string', chat({ n: 'x' })],
];

const EMBEDDING_BODIES: Array<[string, Body]> = [
  ['one string', { model: 'mock/embed', input: 'hello' }],
  [
    'strings, options set',
    { model: 'm', input: ['a', 'b'], encoding_format: 'base64', dimensions: 8192, user: 'u' },
  ],
  ['token arrays', { model: 'm', input: [[1, 2], [3]] }],
  ['tokens', { model: 'm', input: [1, 2, 3] }],
  ['an empty input', { model: 'm', input: [] }],
  ['an empty string', { model: 'm', input: '' }],
  ['no input', { model: 'm' }],
  ['2049 strings', { model: 'm', input: Array.from({ length: 2049 }, () => 'a') }],
  ['mixed items', { model: 'm', input: ['a', 1] }],
  ['an empty token array', { model: 'm', input: [[1], []] }],
  ['no model', { input: 'x' }],
  ['a model of 257 characters', { model: long(257), input: 'x' }],
  ['a model with a lone surrogate', { model: 'mock/\ud800', input: 'x' }],
  ['a model with a tab', { model: 'mock/a\tb', input: 'x' }],
  ['an unknown encoding', { model: 'm', input: 'x', encoding_format: 'int8' }],
  ['dimensions 8193', { model: 'm', input: 'x', dimensions: 8193 }],
  ['dimensions 1.5', { model: 'm', input: 'x', dimensions: 1.5 }],
  [
    'optional fields null',
    { model: 'm', input: 'x', encoding_format: null, dimensions: null, user: null },
  ],
  ['an unknown field', { model: 'm', input: 'x', truncate: 'END' }],
  ['a user of 513 characters', { model: 'm', input: 'x', user: long(513) }],
];

describe('request validators: hand-written checks against the class-validator DTOs', () => {
  describe(checkChatCompletionRequest.name, () => {
    it.each(CHAT_BODIES)('%s', (_name, body) => {
      expect(viaPipe(ChatCompletionRequestDto, body)).toEqual(
        viaClassValidator(ChatCompletionRequestDto, body),
      );
    });
  });

  describe(checkEmbeddingRequest.name, () => {
    it.each(EMBEDDING_BODIES)('%s', (_name, body) => {
      expect(viaPipe(EmbeddingRequestDto, body)).toEqual(
        viaClassValidator(EmbeddingRequestDto, body),
      );
    });
  });

  // Keys named after Object.prototype members: class-transformer drops or chokes on them, so
  // these bodies are checked by the hand-written check alone (issue 15: never a silent drop).
  describe('keys named after built-in object properties', () => {
    it.each<[string, Body, Outcome | 'accepted']>([
      [
        'a constructor key at the top level: refused by name',
        chat({ constructor: 1, toString: 'x' }),
        {
          code: 'unsupported_capability',
          param: 'constructor',
          message: "The field 'constructor' is not supported by this gateway.",
        },
      ],
      [
        'a toString key in metadata: metadata is free-form',
        chat({ metadata: { toString: 'x' } }),
        'accepted',
      ],
      [
        'a constructor property in a tool schema: valid JSON Schema',
        chat({
          tools: [
            tool({ name: 'f', parameters: { properties: { constructor: { type: 'string' } } } }),
          ],
        }),
        'accepted',
      ],
      [
        'a constructor in a content part: passed on like any extra key of a part',
        chat({
          messages: [{ role: 'user', content: [{ type: 'text', text: 'x', constructor: null }] }],
        }),
        'accepted',
      ],
      [
        'a constructor in a part with a bad model: the model first, as in every body',
        chat({
          model: 5,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'x', constructor: null }] }],
        }),
        {
          code: 'validation_error',
          param: 'model',
          message: 'model must be shorter than or equal to 256 characters',
        },
      ],
    ])('%s', (_name, body, expected) => {
      const result = viaPipe(ChatCompletionRequestDto, body);
      if (expected === 'accepted') expect(result).toHaveProperty('accepted');
      else expect(result).toEqual(expected);
    });
  });

  describe('through the pipe', () => {
    it('hands valid chat and embeddings bodies on as parsed, without a copy', () => {
      const chatBody = chat({ tools: [tool()], metadata: { a: 'b' } });
      const embeddingBody = { model: 'mock/embed', input: ['a', 'b'] };
      expect(pipe.transform(chatBody, { type: 'body', metatype: ChatCompletionRequestDto })).toBe(
        chatBody,
      );
      expect(pipe.transform(embeddingBody, { type: 'body', metatype: EmbeddingRequestDto })).toBe(
        embeddingBody,
      );
    });

    it.each([
      [
        chat({ functions: [] }),
        'unsupported_capability',
        'functions',
        "The field 'functions' is not supported by this gateway.",
      ],
      ...(
        [
          [
            'reasoning_effort',
            'max',
            'reasoning_effort must be one of the following values: none, minimal, low, medium, high, xhigh',
          ],
          ['verbosity', 'loud', 'verbosity must be one of the following values: low, medium, high'],
          [
            'service_tier',
            'gold',
            'service_tier must be one of the following values: auto, default, flex, scale, priority',
          ],
          ['store', 1, 'store must be a boolean value'],
          [
            'prediction',
            { type: 'content' },
            'prediction content must be a string or an array of text parts',
          ],
          ['modalities', ['video'], "modalities must be a non-empty array of 'text' and 'audio'"],
          [
            'audio',
            { format: 'ogg', voice: 'alloy' },
            'audio format must be one of wav, aac, mp3, flac, opus, pcm16',
          ],
          [
            'web_search_options',
            { search_context_size: 'huge' },
            'web_search_options search_context_size must be low, medium or high',
          ],
          ['logprobs', 'yes', 'logprobs must be a boolean value'],
          ['top_logprobs', 3, 'top_logprobs requires logprobs: true'],
          ['logit_bias', { '1': 200 }, 'logit_bias values must be numbers between -100 and 100'],
          ['n', 0, 'n must not be less than 1'],
          ['prompt_cache_key', 5, 'prompt_cache_key must be a string'],
          [
            'safety_identifier',
            long(65),
            'safety_identifier must be shorter than or equal to 64 characters',
          ],
        ] as const
      ).map(([field, value, message]): [Body, string, string, string] => [
        chat({ [field]: value }),
        'validation_error',
        field,
        message,
      ]),
      [
        withMessage({ role: 'wizard', content: 'x' }),
        'validation_error',
        'messages[0].role',
        'messages[0].role must be one of the following values: system, developer, user, assistant, tool',
      ],
      [
        chat({ tools: [tool(), tool({ name: 'a b' })] }),
        'validation_error',
        'tools[1].function.name',
        'tools[1].function.name must match [a-zA-Z0-9_-]{1,64}',
      ],
      [
        chat({ temperature: 5 }),
        'validation_error',
        'temperature',
        'temperature must not be greater than 2',
      ],
      [
        chat({ model: 'mock/\ud800x' }),
        'validation_error',
        'model',
        'model must not contain control characters or unpaired surrogates',
      ],
      [
        { model: 'mock/\u0001', input: 'x' },
        'validation_error',
        'model',
        'model must not contain control characters or unpaired surrogates',
      ],
      [
        { model: 'm', input: [] },
        'validation_error',
        'input',
        'input must be a non-empty string or a non-empty array',
      ],
    ])('refuses %j with %s naming %s', (value, code, param, message) => {
      const dto = 'input' in value ? EmbeddingRequestDto : ChatCompletionRequestDto;
      expect(viaPipe(dto, value)).toEqual({ code, param, message });
    });
  });
});
