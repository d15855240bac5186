import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import {
  type FakeGeminiConfigOverrides,
  fakeGeminiConfig,
} from '../../../test/fakes/fake-gemini.config.js';
import { FakeGeminiServer } from '../../../test/fakes/fake-gemini.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { GeminiAdapter } from './gemini.adapter.js';

const MODEL = 'gemini-2.0-flash';
const call: ProviderCall = { model: MODEL, traceId: 'trace-abc' };
/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof GatewayError)) {
    throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  }
  return outcome;
}

/** Images reach Gemini as inline bytes: data: URLs decoded, other URLs fetched only when allowed. */
describe(`${GeminiAdapter.name} images`, () => {
  const fake = new FakeGeminiServer();
  let baseUrl: string;
  const closables: { onApplicationShutdown(): Promise<void> }[] = [];

  function adapterWith(overrides: FakeGeminiConfigOverrides = {}): GeminiAdapter {
    const config = fakeGeminiConfig(baseUrl, overrides);
    const client = new UpstreamHttpClient(config);
    const images = new ImageFetcher(config);
    closables.push(client, images);
    return new GeminiAdapter(config, client, images);
  }

  beforeAll(async () => {
    ({ baseUrl } = await fake.start());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    fake.reset();
    await Promise.all(closables.splice(0).map((c) => c.onApplicationShutdown()));
  });

  afterAll(async () => {
    await fake.close();
    jest.restoreAllMocks();
  });

  let imageHost: Server;
  let imageUrl: string;
  const withImage = (url: string): ChatCompletionRequest => ({
    model: MODEL,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ],
  });

  beforeAll(async () => {
    imageHost = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
      res.end(PNG);
    });
    await new Promise<void>((resolve) => imageHost.listen(0, '127.0.0.1', resolve));
    const address = imageHost.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    imageUrl = `http://127.0.0.1:${address.port}/cat.png`;
  });

  afterAll(() => new Promise<void>((resolve) => imageHost.close(() => resolve())));

  it('sends a data: URL as inlineData', async () => {
    await adapterWith().complete(
      withImage(`data:image/png;base64,${PNG.toString('base64')}`),
      call,
    );
    expect(fake.lastRequest!.body.contents[0].parts[1]).toEqual({
      inlineData: { mimeType: 'image/png', data: PNG.toString('base64') },
    });
  });

  it('refuses an https image URL with a clear 400 while image fetching is off', async () => {
    const error = await failure(
      adapterWith().complete(withImage('https://images.example.com/cat.png'), call),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe('messages[0].content[1].image_url');
    expect(error.message).toContain('image-fetch');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses an image URL on a private address even with fetching on', async () => {
    const error = await failure(
      adapterWith({ imageFetch: { enabled: true } }).complete(
        withImage('https://127.0.0.1/cat.png'),
        call,
      ),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('private addresses');
  });

  it('fetches and inlines an image URL when the operator allows it', async () => {
    const adapter = adapterWith({ imageFetch: { enabled: true, allowPrivateNetworks: true } });
    await adapter.complete(withImage(imageUrl), call);
    expect(fake.lastRequest!.body.contents[0].parts[1]).toEqual({
      inlineData: { mimeType: 'image/png', data: PNG.toString('base64') },
    });
  });
});
