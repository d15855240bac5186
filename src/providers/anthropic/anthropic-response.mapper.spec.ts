import { readFileSync } from 'node:fs';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import { toChatCompletion, toFinishReason, toUsage } from './anthropic-response.mapper.js';

/** Payloads composed after Anthropic's documented answers (wire-formats 3.2). */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

const CREATED = 1_760_000_000;

describe('Anthropic response mapper', () => {
  describe(toChatCompletion.name, () => {
    it('joins text blocks and counts cached input in the prompt', () => {
      expect(toChatCompletion(fixture('message-text.json'), false, CREATED)).toEqual({
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        object: 'chat.completion',
        created: CREATED,
        model: 'claude-sonnet-4-5-20250929',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Bonjour à tous 👋 — à bientôt.',
              refusal: null,
            },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: 12 + 100 + 2048,
          completion_tokens: 9,
          total_tokens: 12 + 100 + 2048 + 9,
          prompt_tokens_details: { cached_tokens: 2048 },
        },
      });
    });

    it('turns tool_use blocks into tool calls with JSON arguments, skipping thinking', () => {
      const completion = toChatCompletion(fixture('message-tool-use.json'), false, CREATED);
      const { message, finish_reason } = completion.choices[0];

      expect(finish_reason).toBe('tool_calls');
      expect(message.content).toBe('Let me check both.');
      expect(message.tool_calls).toEqual([
        {
          id: 'toolu_01A09q90qw90lq917835lq9',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        },
        {
          id: 'toolu_01B7h2k3j4h5g6f7d8s9a0p',
          type: 'function',
          function: { name: 'get_time', arguments: '{}' },
        },
      ]);
    });

    it('returns the structured_output input as the content, with finish_reason stop', () => {
      const completion = toChatCompletion(fixture('message-structured-output.json'), true, CREATED);
      const { message, finish_reason } = completion.choices[0];

      expect(finish_reason).toBe('stop');
      expect(message).not.toHaveProperty('tool_calls');
      expect(JSON.parse(message.content ?? '')).toEqual({
        city: 'Paris',
        temperature_c: 18,
        tags: ['sunny', 'mild'],
      });
      expect(completion.usage).toEqual({
        prompt_tokens: 530,
        completion_tokens: 41,
        total_tokens: 571,
      });
    });

    it('reports a structured_output tool the gateway did not add as an ordinary tool call', () => {
      const completion = toChatCompletion(
        fixture('message-structured-output.json'),
        false,
        CREATED,
      );
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls?.[0].function.name).toBe('structured_output');
      expect(completion.choices[0].message.content).toBeNull();
    });

    it('leaves usage absent when the upstream sent none', () => {
      const body = { ...fixture('message-text.json') };
      delete body.usage;
      expect(toChatCompletion(body, false, CREATED)).not.toHaveProperty('usage');
    });

    it('refuses what is not a message, or has no stop_reason', () => {
      expect(() => toChatCompletion({ type: 'error' }, false, CREATED)).toThrow(UpstreamHttpError);
      expect(() =>
        toChatCompletion({ ...fixture('message-text.json'), stop_reason: null }, false, CREATED),
      ).toThrow(/stop_reason/);
      expect(() =>
        toChatCompletion({ ...fixture('message-text.json'), id: undefined }, false, CREATED),
      ).toThrow(/'id'/);
    });
  });

  describe(toFinishReason.name, () => {
    it.each([
      ['end_turn', false, 'stop'],
      ['stop_sequence', false, 'stop'],
      ['pause_turn', false, 'stop'],
      ['max_tokens', false, 'length'],
      ['model_context_window_exceeded', false, 'length'],
      ['tool_use', true, 'tool_calls'],
      ['tool_use', false, 'stop'],
      ['refusal', false, 'content_filter'],
      ['a_reason_from_the_future', false, 'stop'],
      [null, false, null],
    ])('maps %s (caller tool calls: %s) to %s', (reason, calls, expected) => {
      expect(toFinishReason(reason, calls)).toBe(expected);
    });
  });

  describe(toUsage.name, () => {
    it('keeps cached_tokens only when Anthropic reported cache reads', () => {
      expect(toUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({
        prompt_tokens: 3,
        completion_tokens: 4,
        total_tokens: 7,
      });
      expect(toUsage({ input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 0 })).toEqual({
        prompt_tokens: 3,
        completion_tokens: 4,
        total_tokens: 7,
        prompt_tokens_details: { cached_tokens: 0 },
      });
    });

    it('invents nothing from an empty or missing usage', () => {
      expect(toUsage(undefined)).toBeUndefined();
      expect(toUsage({})).toBeUndefined();
      expect(toUsage({ service_tier: 'standard' })).toBeUndefined();
    });
  });
});
