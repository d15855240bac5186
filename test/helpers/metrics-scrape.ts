import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayUnderTest } from './gateway-harness.js';
import { parsePrometheusText, type Scrape, sumOf } from './prometheus-text.js';

/* The metrics suites' helpers: the calls they make, and scrapes of the settled state. */

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const ask = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});

/** One scrape of `/metrics`, checked to be Prometheus' text format. */
export async function scrapeText(gw: GatewayUnderTest, headers: Record<string, string> = {}) {
  const response = await fetch(`${gw.url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

/**
 * Scrapes until `calls` /v1 calls are counted (settlement runs as each response closes, just after
 * the client has read it), then once more: what is asserted is the settled state.
 */
export async function scrapeSettled(
  gw: GatewayUnderTest,
  calls: number,
  headers: Record<string, string> = {},
): Promise<{ text: string; scrape: Scrape }> {
  for (let i = 0; i < 200; i++) {
    const text = await scrapeText(gw, headers);
    const scrape = parsePrometheusText(text);
    if (sumOf(scrape, 'gateway_requests_total') >= calls) return { text, scrape };
    await sleep(10);
  }
  throw new Error(`fewer than ${calls} calls were ever counted`);
}

export async function streamChat(
  gw: GatewayUnderTest,
  body: unknown,
  headers: Record<string, string>,
) {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}
