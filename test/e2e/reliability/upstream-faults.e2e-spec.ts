import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../../fakes/fake-anthropic.server.js';
import {
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
} from '../../fakes/fake-bedrock.server.js';
import { FAKE_GEMINI_API_KEY, FakeGeminiServer } from '../../fakes/fake-gemini.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type Fault, FaultProxy } from '../../fakes/fault-proxy.js';
import { type GatewayUnderTest, startGateway } from '../../helpers/gateway-harness.js';

/*
 * Issue 18, faults upstream: every way an upstream connection can break, for each wire format
 * (OpenAI-compatible, Anthropic, Gemini, Bedrock), put between the gateway and the vendor's fake
 * by a fault-injecting proxy. Each broken call gets the documented error (502 provider_error, or
 * for a stream that already started, one error frame and no [DONE]), and leaves no connection
 * carrying a request behind: the gateway gave up on every upstream request it started.
 */

const UPSTREAM_LIMITS = `
  upstream:
    request-timeout-ms: 1500
    stream-timeout-ms: 3000
    stream-idle-timeout-ms: 800
    keep-alive-timeout-ms: 1000
    max-response-bytes: 4194304`;

interface Vendor {
  readonly name: string;
  readonly model: string;
  readonly proxy: FaultProxy;
  start(): Promise<string>;
  close(): Promise<void>;
  env(proxied: string): Record<string, string>;
}

function vendors(): Vendor[] {
  const openai = new FakeOpenAiServer({ recordRequests: false });
  const anthropic = new FakeAnthropicServer();
  const gemini = new FakeGeminiServer();
  const bedrock = new FakeBedrockServer();
  const base = (fake: { baseUrl: string }) => () => fake.baseUrl;
  return [
    {
      name: 'OpenAI',
      model: 'openai/gpt-4o',
      proxy: new FaultProxy(base(openai), 100),
      start: async () => (await openai.start()).baseUrl,
      close: () => openai.close(),
      env: (url) => ({ OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: url }),
    },
    {
      name: 'Anthropic',
      model: 'claude-sonnet-4-5',
      proxy: new FaultProxy(base(anthropic), 100),
      start: async () => (await anthropic.start()).baseUrl,
      close: () => anthropic.close(),
      env: (url) => ({ ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: url }),
    },
    {
      name: 'Gemini',
      model: 'gemini/gemini-2.0-flash',
      proxy: new FaultProxy(() => gemini.baseUrl, 100),
      start: async () => (await gemini.start()).baseUrl,
      close: () => gemini.close(),
      env: (url) => ({ GEMINI_API_KEY: FAKE_GEMINI_API_KEY, GEMINI_BASE_URL: url }),
    },
    {
      name: 'Bedrock',
      model: 'bedrock/anthropic.claude-3-sonnet-20240229-v1:0',
      proxy: new FaultProxy(() => bedrock.endpoint, 100),
      start: async () => (await bedrock.start()).endpoint,
      close: () => bedrock.close(),
      env: (url) => ({
        BEDROCK_ENABLED: 'true',
        AWS_ACCESS_KEY_ID: FAKE_AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET_ACCESS_KEY,
        AWS_REGION: FAKE_AWS_REGION,
        BEDROCK_ENDPOINT: url,
      }),
    },
  ];
}

/** The proxy's address with the fake's base path (`/v1beta`, ...), as the gateway's base URL. */
function throughProxy(proxy: FaultProxy, fakeBase: string): string {
  const path = new URL(fakeBase).pathname.replace(/\/$/, '');
  return proxy.url(path);
}

interface Outcome {
  status: number;
  code: string | undefined;
  /** For a 200 stream: the frames, `[DONE]` included when sent. */
  frames: string[];
}

async function chat(gw: GatewayUnderTest, model: string, stream: boolean): Promise<Outcome> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Hello' }] }),
  });
  const text = await res.text();
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    const frames = text
      .split('\n\n')
      .map((frame) => frame.replace(/^data: /, '').trim())
      .filter((frame) => frame !== '');
    const last = frames.at(-1) ?? '';
    const code = last.startsWith('{')
      ? (JSON.parse(last) as { error?: { code?: string } }).error?.code
      : undefined;
    return { status: res.status, code, frames };
  }
  const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
  return { status: res.status, code: body.error?.code, frames: [] };
}

/** A broken call's documented outcome: an HTTP 502, or a started stream's error frame. */
function expectProviderError(outcome: Outcome): void {
  expect(outcome.code).toBe('provider_error');
  if (outcome.status === 200) {
    expect(outcome.frames).not.toContain('[DONE]');
    expect(outcome.frames.filter((frame) => frame.includes('"error"'))).toHaveLength(1);
  } else {
    expect(outcome.status).toBe(502);
  }
}

const FAULTS: readonly Fault[] = [
  'reset-before-headers',
  'reset-after-headers',
  'reset-mid-body',
  'hang',
  'stall-after-first-chunk',
  'trickle',
  'malformed-body',
  'wrong-content-type',
  'status-503',
  'huge-body',
];

describe('faults upstream, for every wire format', () => {
  const all = vendors();
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    for (const vendor of all) {
      const fakeBase = await vendor.start();
      await vendor.proxy.start();
      Object.assign(env, vendor.env(throughProxy(vendor.proxy, fakeBase)));
    }
    gw = await startGateway({ env, yaml: `gateway:${UPSTREAM_LIMITS}`, singleAttempt: true });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    for (const vendor of all) {
      await vendor.proxy.close();
      await vendor.close();
    }
  });

  describe.each(all.map((vendor) => [vendor.name, vendor] as const))('%s', (_name, vendor) => {
    it('answers through the proxy when nothing breaks', async () => {
      vendor.proxy.reset();
      expect((await chat(gw, vendor.model, false)).status).toBe(200);
      const streamed = await chat(gw, vendor.model, true);
      expect(streamed.status).toBe(200);
      expect(streamed.frames.at(-1)).toBe('[DONE]');
      expect(vendor.proxy.applied).toEqual(['pass', 'pass']);
    });

    it.each(
      FAULTS.flatMap((fault): [Fault, boolean][] => [
        [fault, false],
        [fault, true],
      ]),
    )(
      '%s (stream: %s): the documented error, no connection left carrying a request',
      async (fault, stream) => {
        vendor.proxy.reset();
        vendor.proxy.next(fault);
        expectProviderError(await chat(gw, vendor.model, stream));
        expect(vendor.proxy.applied).toEqual([fault]);
        await vendor.proxy.settled();
        // And the next call, on whatever connection is left, is answered normally.
        expect((await chat(gw, vendor.model, stream)).status).toBe(200);
      },
      15_000,
    );

    it('stops reading a 10 GB answer at max-response-bytes', async () => {
      vendor.proxy.reset();
      vendor.proxy.next('huge-body');
      expectProviderError(await chat(gw, vendor.model, false));
      await vendor.proxy.settled();
      // 4 MiB allowed; what the proxy managed to write past it sat in socket buffers.
      expect(vendor.proxy.hugeBytesSent).toBeLessThan(64 * 1024 * 1024);
    });
  });
});

describe('retries and the circuit breaker under faults', () => {
  const openai = new FakeOpenAiServer({ recordRequests: false });
  const proxy = new FaultProxy(() => openai.baseUrl, 100);
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    await openai.start();
    await proxy.start();
    gw = await startGateway({
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: throughProxy(proxy, openai.baseUrl),
      },
      yaml: `
gateway:${UPSTREAM_LIMITS}
  resilience:
    retry: { max-attempts: 2, initial-delay-ms: 10, jitter: false }
    circuit-breaker:
      enabled: true
      failure-rate-threshold: 0.5
      minimum-calls: 10
      sliding-window-size: 20
      half-open-after-ms: 60000
`,
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await proxy.close();
    await openai.close();
  });

  it.each(['reset-before-headers', 'reset-after-headers', 'status-503', 'hang'] as const)(
    'retries a call whose first attempt met %s, and answers',
    async (fault) => {
      proxy.reset();
      proxy.next(fault);
      expect((await chat(gw, 'openai/gpt-4o', false)).status).toBe(200);
      expect(proxy.applied).toEqual([fault, 'pass']);
      await proxy.settled();
    },
  );

  it('does not retry a 200 whose body is malformed: the model may have run', async () => {
    proxy.reset();
    proxy.next('malformed-body');
    expectProviderError(await chat(gw, 'openai/gpt-4o', false));
    expect(proxy.applied).toEqual(['malformed-body']);
  });

  it('never retries a stream that broke after its first chunk', async () => {
    proxy.reset();
    proxy.next('reset-mid-body');
    expectProviderError(await chat(gw, 'openai/gpt-4o', true));
    expect(proxy.applied).toEqual(['reset-mid-body']);
  });

  it('a 5xx storm opens the breaker: then 503 provider_circuit_open without an upstream call', async () => {
    proxy.reset();
    proxy.next('status-503', 100);
    let outcome = await chat(gw, 'openai/gpt-4o', false);
    for (let i = 0; i < 10 && outcome.status !== 503; i++) {
      expectProviderError(outcome);
      outcome = await chat(gw, 'openai/gpt-4o', false);
    }
    expect(outcome).toMatchObject({ status: 503, code: 'provider_circuit_open' });
    const reached = proxy.applied.length;
    expect((await chat(gw, 'openai/gpt-4o', true)).code).toBe('provider_circuit_open');
    expect(proxy.applied).toHaveLength(reached);
    await proxy.settled();
  });
});
