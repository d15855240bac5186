import { readFileSync } from 'node:fs';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import {
  failedFinish,
  toChatCompletion,
  toEmbeddingResult,
  toFinishReason,
  toUsage,
} from './cohere-response.mapper.js';

/** Payloads composed after Cohere's documented v2 answers (wire-formats section 8). */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
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

describe('Cohere response mapper', () => {
  describe(toChatCompletion.name, () => {
    it('keeps the text, drops thinking, and reads usage from tokens with cached tokens', () => {
      expect(toChatCompletion(fixture('chat-text.json'), 'command-r-plus', 1_750_000_000)).toEqual({
        id: '5c0f6a52-8d0e-4a3b-9b7e-2f1c3d4e5a60',
        object: 'chat.completion',
        created: 1_750_000_000,
        model: 'command-r-plus',
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
          prompt_tokens: 498,
          completion_tokens: 10,
          total_tokens: 508,
          prompt_tokens_details: { cached_tokens: 448 },
        },
      });
    });

    it('returns tool calls, with the tool plan as the content', () => {
      const completion = toChatCompletion(fixture('chat-tool-calls.json'), 'command-a', 1);
      const choice = completion.choices[0];

      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBe('I will look up the weather in Paris and in Lyon.');
      expect(choice.message.tool_calls).toEqual([
        {
          id: 'get_weather_k2m8x1q0z7ab',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
        {
          id: 'get_weather_p4n6r3s9t1cd',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
        },
      ]);
      expect(completion.usage).toEqual({
        prompt_tokens: 1320,
        completion_tokens: 71,
        total_tokens: 1391,
      });
    });

    it('leaves usage out when Cohere reported none, and content null when there is no text', () => {
      const raw = fixture('chat-text.json');
      delete raw.usage;
      raw.message = { role: 'assistant', content: [] };
      const completion = toChatCompletion(raw, 'command-r', 1);
      expect(completion).not.toHaveProperty('usage');
      expect(completion.choices[0].message.content).toBeNull();
    });

    it.each([
      ['not an object', () => 'nope'],
      ['no message', () => ({ ...fixture('chat-text.json'), message: undefined })],
      ['no id', () => ({ ...fixture('chat-text.json'), id: undefined })],
      ['an unknown finish_reason', () => ({ ...fixture('chat-text.json'), finish_reason: 'EOS' })],
      [
        'a tool call without a name',
        () => ({
          ...fixture('chat-text.json'),
          message: { role: 'assistant', tool_calls: [{ id: 'x', type: 'function' }] },
        }),
      ],
    ])('refuses %s as malformed', (_name, build) => {
      expect(malformedError(() => toChatCompletion(build(), 'm', 1)).kind).toBe(
        'malformed_response',
      );
    });
  });

  describe(toFinishReason.name, () => {
    it.each([
      ['COMPLETE', false, 'stop'],
      ['STOP_SEQUENCE', false, 'stop'],
      ['MAX_TOKENS', false, 'length'],
      ['TOOL_CALL', true, 'tool_calls'],
      ['COMPLETE', true, 'tool_calls'],
      ['ERROR', false, 'failed'],
      ['TIMEOUT', false, 'failed'],
    ] as const)('maps %s (tool calls: %s) to %s', (raw, tools, expected) => {
      expect(toFinishReason(raw, tools)).toBe(expected);
    });

    it('names the failed generations for the adapter', () => {
      expect(failedFinish({ finish_reason: 'TIMEOUT' })).toBe('TIMEOUT');
      expect(failedFinish({ finish_reason: 'ERROR' })).toBe('ERROR');
      expect(failedFinish(fixture('chat-text.json'))).toBeUndefined();
    });
  });

  describe(toUsage.name, () => {
    it('falls back to billed units when tokens are absent, and never invents usage', () => {
      expect(toUsage({ billed_units: { input_tokens: 12, output_tokens: 7 } })).toEqual({
        prompt_tokens: 12,
        completion_tokens: 7,
        total_tokens: 19,
      });
      expect(toUsage(undefined)).toBeUndefined();
      expect(toUsage({})).toBeUndefined();
      expect(toUsage({ billed_units: { search_units: 1 } })).toBeUndefined();
    });
  });

  describe(toEmbeddingResult.name, () => {
    it('reads float vectors in order, with billed input tokens', () => {
      expect(toEmbeddingResult(fixture('embed-float.json'), 'embed-english-v3.0')).toEqual({
        model: 'embed-english-v3.0',
        data: [
          { index: 0, embedding: [0.0213623, -0.0456543, 0.0871582, -0.0129395] },
          { index: 1, embedding: [-0.0334473, 0.0098877, -0.0611572, 0.0742188] },
        ],
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
    });

    it('refuses an answer without float vectors', () => {
      const raw = fixture('embed-float.json');
      raw.embeddings = { int8: [[1, 2]] };
      expect(malformedError(() => toEmbeddingResult(raw, 'm')).kind).toBe('malformed_response');
      raw.embeddings = { float: [['x']] };
      expect(malformedError(() => toEmbeddingResult(raw, 'm')).kind).toBe('malformed_response');
    });
  });
});
