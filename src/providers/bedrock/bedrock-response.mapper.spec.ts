import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import { readFileSync } from 'node:fs';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import { toChatCompletion, toFinishReason, toUsage } from './bedrock-response.mapper.js';

function fixture(name: string): ConverseResponse {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'),
  ) as ConverseResponse;
}

const frame = { id: 'chatcmpl-req-1', created: 1_760_000_000, model: 'anthropic.claude-3-haiku' };

function malformed(run: () => unknown): UpstreamHttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof UpstreamHttpError) return error;
    throw error;
  }
  throw new Error('expected a malformed answer');
}

describe(toChatCompletion.name, () => {
  it('joins text blocks, leaves reasoning out and counts cached prompt tokens', () => {
    expect(toChatCompletion(fixture('converse-text.json'), frame)).toEqual({
      id: 'chatcmpl-req-1',
      object: 'chat.completion',
      created: 1_760_000_000,
      model: 'anthropic.claude-3-haiku',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Bonjour à tous 👋', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 42,
        completion_tokens: 6,
        total_tokens: 48,
        prompt_tokens_details: { cached_tokens: 20 },
      },
    });
  });

  it('returns tool uses as tool calls with JSON string arguments', () => {
    const completion = toChatCompletion(fixture('converse-tool-use.json'), frame);

    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me check both cities.',
        refusal: null,
        tool_calls: [
          {
            id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
          },
          {
            id: 'tooluse_b2VJbGlkX3NlY29uZA',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Lyon","unit":"celsius"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 355,
      completion_tokens: 101,
      total_tokens: 456,
    });
  });

  it('returns the structured_output input as the content, finished with stop', () => {
    const completion = toChatCompletion(fixture('converse-structured-output.json'), {
      ...frame,
      structuredTool: 'structured_output',
    });

    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: '{"name":"Ada Lovelace","born":1815,"fields":["mathematics","computing"]}',
      refusal: null,
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('treats structured_output as an ordinary tool when json_schema was not asked', () => {
    const completion = toChatCompletion(fixture('converse-structured-output.json'), frame);
    expect(completion.choices[0].message.tool_calls?.[0].function.name).toBe('structured_output');
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
  });

  it('leaves usage out when Bedrock sent none, rather than inventing zeros', () => {
    const { usage: _usage, ...withoutUsage } = fixture('converse-text.json');
    expect(toChatCompletion(withoutUsage as ConverseResponse, frame)).not.toHaveProperty('usage');
  });

  it('answers null content for an empty message', () => {
    const empty = {
      output: { message: { role: 'assistant', content: [] } },
      stopReason: 'end_turn',
    };
    expect(
      toChatCompletion(empty as unknown as ConverseResponse, frame).choices[0].message.content,
    ).toBeNull();
  });

  it('refuses an answer without output message or stopReason', () => {
    expect(malformed(() => toChatCompletion({} as ConverseResponse, frame)).kind).toBe(
      'malformed_response',
    );
    const noStop = { output: { message: { role: 'assistant', content: [{ text: 'x' }] } } };
    expect(
      malformed(() => toChatCompletion(noStop as unknown as ConverseResponse, frame)).message,
    ).toMatch(/stopReason/);
  });
});

describe(toFinishReason.name, () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps %s to %s', (stop, finish) => {
    expect(toFinishReason(stop, false)).toBe(finish);
  });

  it('maps tool_use to tool_calls only when a caller tool was called', () => {
    expect(toFinishReason('tool_use', true)).toBe('tool_calls');
    expect(toFinishReason('tool_use', false)).toBe('stop');
  });

  it.each(['malformed_model_output', 'malformed_tool_use', 'a_reason_from_the_future'])(
    'refuses %s as a malformed answer',
    (stop) => {
      expect(malformed(() => toFinishReason(stop, false)).message).toContain(stop);
    },
  );
});

describe(toUsage.name, () => {
  it('adds cache reads and writes to the prompt and reports reads as cached', () => {
    expect(
      toUsage({
        inputTokens: 3,
        outputTokens: 5,
        totalTokens: 108,
        cacheReadInputTokens: 60,
        cacheWriteInputTokens: 40,
      }),
    ).toEqual({
      prompt_tokens: 103,
      completion_tokens: 5,
      total_tokens: 108,
      prompt_tokens_details: { cached_tokens: 60 },
    });
    expect(toUsage(undefined)).toBeUndefined();
  });
});
