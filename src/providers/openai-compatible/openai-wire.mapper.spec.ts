import { readFileSync } from 'node:fs';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import {
  decodeFloat32Base64,
  openAiStatusHints,
  toChatChunk,
  toChatCompletion,
  toEmbeddingResult,
} from './openai-wire.mapper.js';

/** Payloads composed after OpenAI's documented answers (wire-formats section 1). */
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

function malformedError(run: () => unknown): UpstreamHttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof UpstreamHttpError) return error;
    throw error;
  }
  throw new Error('expected the mapper to refuse the payload');
}

describe('OpenAI mapper', () => {
  describe(toChatCompletion.name, () => {
    it('keeps what the schema allows and drops the rest', () => {
      expect(toChatCompletion(fixture('chat-completion.json'))).toEqual({
        id: 'chatcmpl-C1a2b3c4d5e6f7g8h9i0',
        object: 'chat.completion',
        created: 1741569952,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Paris is the capital of France.',
              refusal: null,
            },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: 14,
          completion_tokens: 8,
          total_tokens: 22,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
        system_fingerprint: 'fp_44709d6fcb',
        service_tier: 'default',
      });
    });

    it('keeps parallel tool calls and drops system_fingerprint: null', () => {
      const completion = toChatCompletion(fixture('chat-tool-calls.json'));

      expect(completion.choices[0].message.tool_calls).toEqual([
        {
          id: 'call_Wx1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
        {
          id: 'call_Wx2',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
        },
      ]);
      expect(completion.choices[0].message.content).toBeNull();
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion).not.toHaveProperty('system_fingerprint');
    });

    it('fills refusal and content when the upstream left them out', () => {
      const raw = fixture('chat-completion.json') as {
        choices: { message: Record<string, unknown> }[];
      };
      raw.choices[0].message = { role: 'assistant' };
      expect(toChatCompletion(raw).choices[0].message).toEqual({
        role: 'assistant',
        content: null,
        refusal: null,
      });
    });

    it.each([
      ['not an object', () => 'nope'],
      ['no choices', () => ({ ...(fixture('chat-completion.json') as object), choices: [] })],
      ['no id', () => ({ ...(fixture('chat-completion.json') as object), id: undefined })],
      [
        'a choice without finish_reason',
        () => {
          const raw = fixture('chat-completion.json') as { choices: Record<string, unknown>[] };
          raw.choices[0].finish_reason = null;
          return raw;
        },
      ],
      [
        'an unknown finish_reason',
        () => {
          const raw = fixture('chat-completion.json') as { choices: Record<string, unknown>[] };
          raw.choices[0].finish_reason = 'eos';
          return raw;
        },
      ],
    ])('refuses %s as malformed', (_name, build) => {
      expect(malformedError(() => toChatCompletion(build())).kind).toBe('malformed_response');
    });
  });

  describe(toChatChunk.name, () => {
    it("drops obfuscation, a vendor's service_tier, usage: null and nulls the schema forbids", () => {
      const chunk = toChatChunk({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        service_tier: 'on_demand',
        system_fingerprint: null,
        obfuscation: 'xyz',
        usage: null,
        choices: [
          {
            index: 0,
            delta: { role: null, content: 'Hi', tool_calls: null, function_call: null },
            logprobs: null,
            finish_reason: null,
          },
        ],
      });

      expect(chunk).toEqual({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null, logprobs: null }],
      });
    });

    it('keeps tool-call deltas without inventing fields', () => {
      const chunk = toChatChunk({
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 1, function: { arguments: '{"a' } }] },
            finish_reason: null,
          },
        ],
      });
      expect(chunk.choices[0].delta.tool_calls).toEqual([
        { index: 1, function: { arguments: '{"a' } },
      ]);
    });
  });

  describe('embeddings', () => {
    it('decodes little-endian float32 base64 exactly', () => {
      expect(toEmbeddingResult(fixture('embeddings-base64.json'))).toEqual({
        model: 'text-embedding-3-small',
        data: [{ index: 0, embedding: [0.5, -1.25, Math.fround(0.1), 3] }],
        usage: { prompt_tokens: 2, total_tokens: 2 },
      });
    });

    it('accepts float arrays', () => {
      const result = toEmbeddingResult({
        object: 'list',
        model: 'm',
        data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5] }],
        usage: { prompt_tokens: 1, total_tokens: 1 },
      });
      expect(result.data[0].embedding).toEqual([0.25, -0.5]);
    });

    it('refuses a base64 string that is not whole float32s, and a missing vector', () => {
      expect(malformedError(() => decodeFloat32Base64('AAAAAAA=')).kind).toBe('malformed_response');
      expect(
        malformedError(() => toEmbeddingResult({ data: [{ index: 0, embedding: { x: 1 } }] })).kind,
      ).toBe('malformed_response');
    });
  });

  describe(openAiStatusHints.name, () => {
    it('marks an exhausted quota as not retryable and nothing else', () => {
      expect(
        openAiStatusHints({
          error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' },
        }),
      ).toEqual({ retryable: false });
      expect(
        openAiStatusHints({ error: { message: 'slow down', code: 'rate_limit_exceeded' } }),
      ).toEqual({});
      expect(openAiStatusHints('plain text')).toEqual({});
    });
  });
});
