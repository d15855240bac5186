import { readFileSync } from 'node:fs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { type SseEvent, SseEventParser } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { Usage } from '../llm-provider.types.js';
import { AnthropicPassthroughReader } from './anthropic-passthrough.reader.js';

function events(name: string): SseEvent[] {
  const parser = new SseEventParser();
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return [...parser.push(bytes), ...parser.end()];
}

const context = { provider: 'anthropic', traceId: 't' };

describe(AnthropicPassthroughReader.name, () => {
  it('relays every event as sent and reports the merged usage at message_stop', () => {
    const usage: Usage[] = [];
    const reader = new AnthropicPassthroughReader(context, (u) => usage.push(u));
    const input = events('stream-tool-use.events.txt');
    const out = input.map((event) => reader.read(event));
    expect(out.map((event) => event?.type)).toEqual(input.map((event) => event.event));
    expect(out[0]).toEqual(JSON.parse(input[0].data));
    expect(reader.done).toBe(true);
    expect(reader.finish()).toBeUndefined();
    expect(usage).toHaveLength(1);
    // message_start: 472 input, 200 cache writes; message_delta: the cumulative output.
    expect(usage[0].prompt_tokens).toBe(472 + 200);
    expect(usage[0].completion_tokens).toBe(89);
  });

  it('fails on an error event and on a stream cut before message_stop', () => {
    const reader = new AnthropicPassthroughReader(context, () => undefined);
    const input = events('stream-overloaded.events.txt');
    expect(() => input.forEach((event) => reader.read(event))).toThrow(GatewayError);
    const cut = new AnthropicPassthroughReader(context, () => undefined);
    cut.read(events('stream-text.events.txt')[0]);
    expect(() => cut.finish()).toThrow(UpstreamHttpError);
  });
});
