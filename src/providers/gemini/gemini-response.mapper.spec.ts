import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import { type AnswerMeta, toChatCompletion, toUsage } from './gemini-response.mapper.js';
import { thoughtSignatureOf } from './gemini-tool-call-id.mapper.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

function meta(): AnswerMeta {
  let n = 0;
  return {
    context: { provider: 'gemini', traceId: 'trace-1' },
    model: 'gemini-2.0-flash',
    created: 1_750_000_000,
    newKey: () => `KEY${String(++n).padStart(13, '0')}`,
  };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function answer(candidate: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { candidates: [{ index: 0, ...candidate }], ...extra };
}

describe(toChatCompletion.name, () => {
  it('reads a text answer: thought summaries left out, thinking counted as reasoning', () => {
    expect(toChatCompletion(fixture('generate-content.json'), meta())).toEqual({
      id: 'chatcmpl-Un6LaPqHBNyz7M8Px7aW0Ao',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'gemini-2.5-flash',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Bonjour ! Grüße, 世界 🌍', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 33,
        total_tokens: 45,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 24 },
      },
    });
  });

  it('reads function calls: minted ids carrying the signature, finish_reason tool_calls', () => {
    const completion = toChatCompletion(fixture('generate-content-tool-calls.json'), meta());
    const choice = completion.choices[0];

    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Let me check both cities.');
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_KEY0000000000001_s/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      },
      {
        id: 'call_KEY0000000000002',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
      },
    ]);
    expect(thoughtSignatureOf(choice.message.tool_calls![0].id)).toBe('EtoFCtUFAdHtim+9v0Q3Zx0=');
    expect(completion.usage).toEqual({
      prompt_tokens: 58,
      completion_tokens: 31,
      total_tokens: 89,
    });
  });

  it('turns a blocked prompt into 400 provider_rejected_request saying it was blocked', () => {
    const error = thrown(() => toChatCompletion(fixture('prompt-blocked.json'), meta()));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).code).toBe(ErrorCode.ProviderRejectedRequest);
    expect((error as GatewayError).message).toBe(
      "The provider 'gemini' blocked the prompt for safety reasons (block reason SAFETY); rephrase the request.",
    );
  });

  it('maps a safety stop to content_filter with no content', () => {
    const completion = toChatCompletion(fixture('candidate-safety.json'), meta());
    expect(completion.choices[0].finish_reason).toBe('content_filter');
    expect(completion.choices[0].message.content).toBeNull();
    expect(completion.usage).toEqual({ prompt_tokens: 21, completion_tokens: 0, total_tokens: 21 });
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['OTHER', 'stop'],
    ['SOME_FUTURE_REASON', 'stop'],
  ])('maps finishReason %s to %s', (reason, expected) => {
    const body = answer({
      content: { parts: [{ text: 'x' }], role: 'model' },
      finishReason: reason,
    });
    expect(toChatCompletion(body, meta()).choices[0].finish_reason).toBe(expected);
  });

  it.each(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL'])(
    'reports %s as a retryable 502 without upstream text',
    (reason) => {
      const body = answer({
        finishReason: reason,
        finishMessage: 'Malformed function call: print(secret)',
      });
      const error = thrown(() => toChatCompletion(body, meta())) as GatewayError;
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(reason);
      expect(error.message).not.toContain('secret');
    },
  );

  it('leaves usage out when Gemini reported none, and mints an id without responseId', () => {
    const completion = toChatCompletion(
      answer({ content: { parts: [{ text: 'hi' }], role: 'model' }, finishReason: 'STOP' }),
      meta(),
    );
    expect(completion).not.toHaveProperty('usage');
    expect(completion.id).toBe('chatcmpl-KEY0000000000001');
    expect(completion.model).toBe('gemini-2.0-flash');
  });

  it.each([
    ['no candidates and no block reason', { usageMetadata: { promptTokenCount: 1 } }],
    ['a candidate without finishReason', answer({ content: { parts: [{ text: 'x' }] } })],
    [
      'a function call without a name',
      answer({ content: { parts: [{ functionCall: { args: {} } }] }, finishReason: 'STOP' }),
    ],
    ['a body that is not an object', ['x']],
  ])('calls %s malformed', (_name, body) => {
    const error = thrown(() => toChatCompletion(body, meta()));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).kind).toBe('malformed_response');
  });
});

describe(toUsage.name, () => {
  it('counts tool-use prompt tokens as prompt and ignores a usage object without counts', () => {
    expect(
      toUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 2 }),
    ).toEqual({ prompt_tokens: 15, completion_tokens: 2, total_tokens: 17 });
    expect(toUsage({ promptTokensDetails: [] })).toBeUndefined();
    expect(toUsage(undefined)).toBeUndefined();
  });
});
