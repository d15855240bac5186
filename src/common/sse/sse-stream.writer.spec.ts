import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { Observable, config as rxjsConfig } from 'rxjs';
import { type SseHeaders, streamAsSse } from './sse-stream.writer.js';

interface Scenario {
  events: unknown[];
  headers: SseHeaders;
}

/** An event source that records whether it was torn down (the upstream call aborted). */
function source(events: unknown[]) {
  const state = { tornDown: false };
  const events$ = new Observable<unknown>((subscriber) => {
    for (const event of events) {
      if (subscriber.closed) break;
      subscriber.next(event);
    }
    subscriber.complete();
    return () => {
      state.tornDown = true;
    };
  });
  return { events$, state };
}

describe(streamAsSse.name, () => {
  let app: FastifyInstance;
  let url: string;
  let scenario: Scenario;
  let tornDown: boolean;
  const uncaught: unknown[] = [];
  const previous = rxjsConfig.onUnhandledError;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // What RxJS would otherwise throw from a timer, ending the process.
    rxjsConfig.onUnhandledError = (err) => void uncaught.push(err);
    app = Fastify();
    app.post('/stream', async (_request, reply) => {
      const { events$, state } = source(scenario.events);
      try {
        await streamAsSse(reply, events$, scenario.headers);
      } catch (err) {
        await reply.code(500).send({ failed: err instanceof Error ? err.message : String(err) });
      } finally {
        tornDown = state.tornDown;
      }
    });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/stream`;
  });
  afterAll(async () => {
    rxjsConfig.onUnhandledError = previous;
    await app.close();
  });
  afterEach(() => expect(uncaught).toEqual([]));

  const run = async (events: unknown[], headers: SseHeaders) => {
    scenario = { events, headers };
    tornDown = false;
    const res = await fetch(url, { method: 'POST' });
    const body = await res.text();
    return { status: res.status, headers: res.headers, body, tornDown };
  };

  it('sends the decided headers, one frame per event, then [DONE]', async () => {
    const res = await run([{ n: 1 }, { n: 2 }], () => ({ 'x-gateway-model': 'mock/x' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-gateway-model')).toBe('mock/x');
    expect(res.body).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
  });

  it.each([
    ['a lone surrogate', 'mock/\ud800x'],
    ['a line break', 'a\r\nx-evil: 1'],
    ['a character beyond Latin-1', '模型'],
  ])(
    'fails before the first byte, as an ordinary error, on a header value with %s',
    async (_what, value) => {
      const res = await run([{ n: 1 }, { n: 2 }], () => ({ 'x-gateway-model': value }));
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ failed: expect.stringContaining('x-gateway-model') });
      expect(res.tornDown).toBe(true);
    },
  );

  it('fails before the first byte when deciding the headers throws, even with no events', async () => {
    const throwing = () => {
      throw new Error('no answer');
    };
    for (const events of [[{ n: 1 }], []]) {
      const res = await run(events, throwing);
      expect([res.status, res.body]).toEqual([500, '{"failed":"no answer"}']);
    }
  });

  it('ends with one error frame when an event cannot be written after the first byte', async () => {
    const res = await run([{ n: 1 }, { n: 2n }, { n: 3 }], {});
    expect(res.status).toBe(200);
    const frames = res.body.split('\n\n').filter(Boolean);
    expect(frames[0]).toBe('data: {"n":1}');
    expect(frames).toHaveLength(2);
    expect(JSON.parse(frames[1].slice('data: '.length))).toEqual({
      error: expect.objectContaining({ code: 'internal_error' }),
    });
    expect(res.tornDown).toBe(true);
  });
});
