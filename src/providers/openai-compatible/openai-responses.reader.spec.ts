import { readFileSync } from 'node:fs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { type SseEvent, SseEventParser } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { Usage } from '../llm-provider.types.js';
import { OpenAiResponsesReader, responsesUsage } from './openai-responses.reader.js';

function events(name: string): SseEvent[] {
  const parser = new SseEventParser();
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return [...parser.push(bytes), ...parser.end()];
}

const context = { provider: 'openai', traceId: 't' };

describe(OpenAiResponsesReader.name, () => {
  it('relays every event as sent and reports the usage of response.completed', () => {
    const usage: Usage[] = [];
    const reader = new OpenAiResponsesReader(context, (u) => usage.push(u));
    const input = events('responses-stream.events.txt');
    const out = input.map((event) => reader.read(event));
    expect(out.map((event) => event?.type)).toEqual(input.map((event) => event.event));
    expect(out[4]).toEqual(JSON.parse(input[4].data));
    expect(reader.done).toBe(true);
    expect(reader.finish()).toBeUndefined();
    expect(usage).toEqual([
      {
        prompt_tokens: 37,
        completion_tokens: 11,
        total_tokens: 48,
        prompt_tokens_details: { cached_tokens: 5 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    ]);
  });

  it('fails on an error event and on a stream cut before a terminal event', () => {
    const reader = new OpenAiResponsesReader(context, () => undefined);
    const input = events('responses-stream-error.events.txt');
    expect(() => input.forEach((event) => reader.read(event))).toThrow(GatewayError);
    const cut = new OpenAiResponsesReader(context, () => undefined);
    cut.read(events('responses-stream.events.txt')[0]);
    expect(() => cut.finish()).toThrow(UpstreamHttpError);
    expect(() => cut.read({ event: 'x', data: '{not json' })).toThrow(UpstreamHttpError);
  });
});

describe(responsesUsage.name, () => {
  it('reads counts, and nothing from a block without them', () => {
    expect(responsesUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
    });
    expect(responsesUsage(null)).toBeUndefined();
    expect(responsesUsage({ input_tokens: 'x', output_tokens: 4 })).toBeUndefined();
  });
});
