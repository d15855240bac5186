import type { GatewayUnderTest } from './gateway-harness.js';

/** The admin token the admin e2e suites boot their gateways with. */
export const TOKEN = 'admin-e2e-token-0123456789abcdef';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** One admin call; `token: null` sends no Authorization header. */
export async function call(
  gw: GatewayUnderTest,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
    text,
  };
}

export function expectError(
  answer: Answer,
  status: number,
  code: string,
  param: string | null = null,
) {
  expect({
    status: answer.status,
    code: answer.body?.error?.code,
    param: answer.body?.error?.param,
  }).toEqual({
    status,
    code,
    param,
  });
  expect(typeof answer.body.error.message).toBe('string');
  expect(typeof answer.body.error.trace_id).toBe('string');
}
