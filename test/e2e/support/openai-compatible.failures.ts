import { APIError } from 'openai';
import { FakeOpenAiCompatibleServer } from '../../fakes/fake-openai-compatible.server.js';
import { postJson, readJson, readSse, startGateway } from '../../helpers/gateway-harness.js';
import {
  closedPort,
  type CompatibleProviderCase,
  type CompatibleProviderContext,
  compatibleGatewayYaml,
  helloFor,
  streamRequestFor,
} from './openai-compatible.case.js';

/** Every upstream failure, mapped into the contract's envelope (issue 3, item 6). */
export function failureTests(
  item: CompatibleProviderCase,
  ctx: () => CompatibleProviderContext,
): void {
  const hello = () => helloFor(item);
  const streamRequest = () => streamRequestFor(ctx(), item);

  it('maps an upstream 400 to provider_rejected_request without echoing its text', async () => {
    ctx().fake.failNext(400);
    const res = await postJson(ctx().chatUrl, hello());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('provider_rejected_request');
    expect(res.body.error.message).toMatch(/rejected the request.*logged/);
    expect(ctx().fake.requests).toHaveLength(1);
  });

  it.each([401, 403])(
    'maps an upstream %d to 502 provider_error naming the credential',
    async (status) => {
      ctx().fake.failNext(status);
      const res = await postJson(ctx().chatUrl, hello());
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      expect(res.body.error.message).toMatch(/credential/i);
      if (item.credential) expect(JSON.stringify(res.body)).not.toContain(ctx().fake.apiKey);
    },
  );

  it.each([
    [{ 'retry-after': '7' }, '7'],
    [{ 'retry-after-ms': '2500' }, '3'],
  ])(
    'maps an upstream 429 (%j) to provider_rate_limited with Retry-After',
    async (headers, expected) => {
      ctx().fake.failNext(429, { headers, body: { error: { message: 'Rate limit reached' } } });
      const error = await ctx()
        .client.chat.completions.create(hello())
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(429);
      expect((error as APIError).code).toBe('provider_rate_limited');
      expect((error as APIError).headers?.get('retry-after')).toBe(expected);
    },
  );

  it("maps the vendor's own 429 answer to provider_rate_limited", async () => {
    ctx().fake.failNext(429);
    const res = await postJson(ctx().chatUrl, hello());
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({
      code: 'provider_rate_limited',
      type: 'provider_rate_limited',
    });
  });

  it.each([500, 502, 503])('maps an upstream %d to 502 provider_error', async (status) => {
    ctx().fake.failNext(status);
    const res = await postJson(ctx().chatUrl, hello());
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'provider_error', type: 'provider_error' });
  });

  it('cuts a hung upstream at the timeout with 502 provider_error', async () => {
    ctx().fake.hangNext();
    const res = await postJson(ctx().chatUrl, hello());
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toMatch(/time/i);
    await ctx().fake.waitForClientDisconnects(1);
  });

  it('answers 502 provider_error when the upstream returns no choices', async () => {
    ctx().fake.failNext(200, {
      body: {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: item.upstreamModel,
        choices: [],
      },
    });
    const res = await postJson(ctx().chatUrl, hello());
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toMatch(/no choices/);
  });

  it('answers an upstream error before the first streamed byte as an HTTP error', async () => {
    ctx().fake.failNext(503);
    const res = await streamRequest();
    expect(res.status).toBe(502);
    expect((await readJson(res)).error.code).toBe('provider_error');
  });

  it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
    ctx().fake.streamErrorNext(2);
    const res = await streamRequest();
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    const last = JSON.parse(data[data.length - 1]);
    expect(last.error.code).toBe('provider_error');
    expect(data).not.toContain('[DONE]');
    expect(data.slice(0, -1).every((d) => JSON.parse(d).object === 'chat.completion.chunk')).toBe(
      true,
    );
  });

  it('treats a stream that ends without a finish reason as an error', async () => {
    ctx().fake.omitFinishReasonNext({ sendDone: true });
    const { data } = await readSse(await streamRequest());
    expect(JSON.parse(data[data.length - 1]).error.code).toBe('provider_error');
  });
}

/** A provider whose host does not answer at all. */
export function unreachableTests(item: CompatibleProviderCase): void {
  describe(`${item.id} provider with an unreachable upstream`, () => {
    it('answers 502 provider_error saying it is unreachable', async () => {
      const fake = new FakeOpenAiCompatibleServer(item.dialect);
      await fake.start();
      const env = item.env(fake);
      const yaml = compatibleGatewayYaml(item, fake);
      const origin = new URL(fake.baseUrl).origin;
      await fake.close();
      const port = await closedPort();
      const reroute = (text: string) => text.split(origin).join(`http://127.0.0.1:${port}`);
      const gw = await startGateway({
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, reroute(v)])),
        yaml: reroute(yaml),
      });
      try {
        const res = await postJson(`${gw.url}/v1/chat/completions`, hello());
        expect(res.status).toBe(502);
        expect(res.body.error.code).toBe('provider_error');
        expect(res.body.error.message).toMatch(/unreachable/);
      } finally {
        await gw.close();
      }
    });
    const hello = () => ({
      model: item.model,
      messages: [{ role: 'user' as const, content: 'Hello' }],
    });
  });
}
