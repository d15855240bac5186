/**
 * What the dialect specs share: a raw HTTP call to a fake (to see the exact wire, which SDKs
 * normalise away) and an SSE reader that keeps every `data:` payload in order.
 */
import type { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (`undefined` when it is not JSON). */
  readonly json: unknown;
}

/** POSTs `body` as JSON to `path` under the fake's base URL, with its key as a Bearer by default. */
export async function postRaw(
  fake: FakeOpenAiCompatibleServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${fake.apiKey}` },
): Promise<RawAnswer> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return answerOf(response);
}

/** GETs `path` under the fake's base URL. */
export async function getRaw(
  fake: FakeOpenAiCompatibleServer,
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${fake.apiKey}` },
): Promise<RawAnswer> {
  return answerOf(await fetch(`${fake.baseUrl}${path}`, { headers }));
}

async function answerOf(response: Response): Promise<RawAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Every SSE `data:` payload in order, parsed as JSON, `[DONE]` kept as the string. */
export function sseData(text: string): unknown[] {
  return text
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')))
    .map((line) => line.slice('data:'.length).trimStart())
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}

/** The JSON chunks of an SSE body (without `[DONE]`), as records. */
export function sseChunks(text: string): Record<string, unknown>[] {
  return sseData(text).filter((d) => d !== '[DONE]') as Record<string, unknown>[];
}

/** `chunk.choices[0]`, if any. */
export function firstChoice(chunk: Record<string, unknown>): Record<string, unknown> | undefined {
  const choices = chunk.choices as Record<string, unknown>[] | undefined;
  return choices?.[0];
}

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

export const WEATHER_CALL = { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' };

export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
