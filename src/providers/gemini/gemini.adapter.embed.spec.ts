import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  type FakeGeminiConfigOverrides,
  fakeGeminiConfig,
} from '../../../test/fakes/fake-gemini.config.js';
import { FakeGeminiServer, fakeGeminiEmbedding } from '../../../test/fakes/fake-gemini.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import { GeminiAdapter } from './gemini.adapter.js';

const MODEL = 'gemini-2.0-flash';
const call: ProviderCall = { model: MODEL, traceId: 'trace-abc' };

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

/** Embeddings: `embedContent` for one input, `batchEmbedContents` for several. */
describe(`${GeminiAdapter.name} embeddings`, () => {
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

  const embedCall = { ...call, model: 'gemini-embedding-001' };

  it('uses embedContent for one input, with outputDimensionality', async () => {
    const result = await adapterWith().embed(
      { model: 'gemini-embedding-001', input: 'alpha', dimensions: 4 },
      embedCall,
    );
    expect(fake.lastRequest!.path).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(fake.lastRequest!.body).toEqual({
      content: { parts: [{ text: 'alpha' }] },
      outputDimensionality: 4,
    });
    expect(result.data).toEqual([{ index: 0, embedding: fakeGeminiEmbedding('alpha', 4) }]);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('uses batchEmbedContents for several inputs, in order', async () => {
    const result = await adapterWith().embed(
      { model: 'gemini-embedding-001', input: ['alpha', 'beta', 'gamma'] },
      embedCall,
    );
    expect(fake.lastRequest!.rpc).toBe('batchEmbedContents');
    expect(result.data.map((d) => d.embedding)).toEqual(
      ['alpha', 'beta', 'gamma'].map((t) => fakeGeminiEmbedding(t)),
    );
  });

  it('maps a chat model asked to embed (404) to provider_rejected_request', async () => {
    const error = await failure(adapterWith().embed({ model: MODEL, input: 'a' }, call));
    expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
  });
});
