import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import {
  type FakeCohereConfigOverrides,
  fakeCohereConfig,
} from '../../../test/fakes/fake-cohere.config.js';
import {
  DEFAULT_COHERE_REPLY_TEXT,
  FakeCohereServer,
  fakeCohereEmbedding,
} from '../../../test/fakes/fake-cohere.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { CohereAdapter } from './cohere.adapter.js';
import { COHERE_PROVIDER } from './cohere.provider-definition.js';

const request: ChatCompletionRequest = {
  model: 'command-r-plus',
  messages: [{ role: 'user', content: 'Say hello' }],
};
const call: ProviderCall = { model: 'command-r-plus', traceId: 'trace-co' };

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

describe(CohereAdapter.name, () => {
  const fake = new FakeCohereServer();
  let baseUrl: string;
  const clients: UpstreamHttpClient[] = [];

  function adapterWith(overrides: FakeCohereConfigOverrides = {}, url = baseUrl): CohereAdapter {
    const config = fakeCohereConfig(url, overrides);
    const client = new UpstreamHttpClient(config);
    clients.push(client);
    return new CohereAdapter(config, client);
  }

  beforeAll(async () => {
    ({ baseUrl } = await fake.start());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    fake.reset();
    await Promise.all(clients.splice(0).map((c) => c.onApplicationShutdown()));
  });

  afterAll(async () => {
    await fake.close();
    jest.restoreAllMocks();
  });

  it('is activated by the API key and routes command and embed- models unstripped', () => {
    const config = fakeCohereConfig(baseUrl);
    expect(COHERE_PROVIDER.isActive(config)).toBe(true);
    expect(COHERE_PROVIDER.isActive(fakeCohereConfig(baseUrl, { cohere: { apiKey: ' ' } }))).toBe(
      false,
    );
    expect(COHERE_PROVIDER.prefixes).toEqual(['command', 'embed-']);
    expect(COHERE_PROVIDER.stripPrefix).toBe(false);
  });

  it('answers a chat with the model it was asked for', async () => {
    const completion = await adapterWith().complete(request, call);
    expect(completion.model).toBe('command-r-plus');
    expect(completion.choices[0].message.content).toBe(DEFAULT_COHERE_REPLY_TEXT);
    expect(completion.created).toBeGreaterThan(1_700_000_000);
  });

  it('appends Cohere paths to a base URL that carries a path (an egress proxy)', async () => {
    const error = await failure(adapterWith({}, `${baseUrl}/egress/`).complete(request, call));
    expect(fake.lastRequest?.path).toBe('/egress/v2/chat');
    expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
  });

  it.each([
    ['a per-minute limit', undefined, true],
    [
      "a trial key's monthly allowance",
      { message: 'You are using a Trial key, which is limited to 1000 API calls / month.' },
      false,
    ],
  ])('marks a 429 for %s as retryable: %s', async (_name, body, retryable) => {
    fake.failNext(429, { body });
    const error = await failure(adapterWith().complete(request, call));
    expect(error.code).toBe(ErrorCode.ProviderRateLimited);
    expect(error.retryable).toBe(retryable);
  });

  it("names Cohere's 498 as a refused credential", async () => {
    fake.failNext(498);
    const error = await failure(adapterWith().complete(request, call));
    expect(error.status).toBe(502);
    expect(error.message).toBe(
      "The gateway's credential for provider 'cohere' was refused (upstream status 498); an operator must check the provider configuration.",
    );
  });

  it.each([
    ['TIMEOUT', true],
    ['ERROR', false],
  ] as const)('refuses a generation ended with %s (retryable: %s)', async (reason, retryable) => {
    fake.setReply({ finishReason: reason });
    const error = await failure(adapterWith().complete(request, call));
    expect(error.code).toBe(ErrorCode.ProviderError);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(reason);
  });

  it('embeds with the configured input type', async () => {
    const result = await adapterWith({ cohere: { embedInputType: 'search_query' } }).embed(
      { model: 'embed-v4.0', input: ['q'] },
      { model: 'embed-v4.0', traceId: 't' },
    );
    expect(fake.lastRequest?.body).toMatchObject({ input_type: 'search_query' });
    expect(result.data).toEqual([{ index: 0, embedding: fakeCohereEmbedding('q') }]);
    expect(result.model).toBe('embed-v4.0');
  });

  it('streams lazily: nothing is sent before subscribe, and usage comes last', async () => {
    const chunks$ = adapterWith().chat$(request, call);
    expect(fake.requests).toHaveLength(0);
    const chunks = await lastValueFrom(chunks$.pipe(toArray()));
    expect(fake.requests).toHaveLength(1);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: expect.any(Object) });
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('aborts the upstream stream on unsubscribe', async () => {
    fake.stallStreamNext(2);
    await firstValueFrom(adapterWith().chat$(request, call).pipe(take(1)));
    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects[0].path).toBe('/v2/chat');
  });
});
