/**
 * Clients for checking the fake Gemini in specs: Google's official SDK, and raw requests for the
 * bodies the SDK would reshape before sending.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { FAKE_GEMINI_API_KEY, type FakeGeminiServer } from './fake-gemini.server.js';

/**
 * The SDK, with Node's own fetch handed in: by default it reaches for undici's global dispatcher
 * through a symbol on `globalThis`, which jest's module sandbox does not share. Same requests.
 */
export function geminiSdk(apiKey: string, origin: string): GoogleGenAI {
  return new GoogleGenAI({
    apiKey,
    httpOptions: { baseUrl: origin, fetch: (input, init) => fetch(input, init) },
  });
}

/** A raw POST under `/v1beta`, with the fake's key unless told otherwise (`null`: no key). */
export async function postRaw(
  fake: FakeGeminiServer,
  path: string,
  body: unknown,
  key: string | null = FAKE_GEMINI_API_KEY,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { 'x-goog-api-key': key }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** The SDK's error for a call expected to fail. */
export async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof ApiError)) {
    throw new Error(`expected an ApiError, got ${String(outcome)}`);
  }
  return outcome;
}
