import OpenAI from 'openai';
import {
  DEFAULT_REPLY_TEXT as CLAUDE_TEXT,
  FAKE_ANTHROPIC_API_KEY,
  FakeAnthropicServer,
} from '../../fakes/fake-anthropic.server.js';
import { FAKE_GEMINI_API_KEY, FakeGeminiServer } from '../../fakes/fake-gemini.server.js';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
} from '../../fakes/fake-openai.server.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readSse,
  startGateway,
} from '../../helpers/gateway-harness.js';

/**
 * Contract 4.2's OpenAI fields end to end: forwarded verbatim to OpenAI, mapped for Anthropic
 * (reasoning_effort as extended thinking), refused with 400 unsupported_capability where the
 * target cannot honour them, before any upstream call.
 */
describe('OpenAI request fields through the gateway (contract 4.2)', () => {
  const openai = new FakeOpenAiServer();
  const anthropic = new FakeAnthropicServer();
  const gemini = new FakeGeminiServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  let key = '';
  const hi = [{ role: 'user' as const, content: 'Hello' }];

  /** One value of each field, as an OpenAI SDK user would send it to gpt-5. */
  const EVERY_FIELD: Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, 'model' | 'messages'> = {
    reasoning_effort: 'high',
    verbosity: 'low',
    service_tier: 'flex',
    store: true,
    prediction: { type: 'content', content: 'Hello from' },
    modalities: ['text', 'audio'],
    audio: { format: 'mp3', voice: 'alloy' },
    web_search_options: {
      search_context_size: 'low',
      user_location: { type: 'approximate', approximate: { city: 'Paris', country: 'FR' } },
    },
    logprobs: true,
    top_logprobs: 2,
    logit_bias: { '50256': -100 },
    n: 2,
    prompt_cache_key: 'tenant-42',
    safety_identifier: 'user-hash-1',
  };

  beforeAll(async () => {
    const [{ baseUrl: openAiUrl }, { baseUrl: anthropicUrl }, { baseUrl: geminiUrl }] =
      await Promise.all([openai.start(), anthropic.start(), gemini.start()]);
    gw = await startGateway({
      singleAttempt: true,
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openAiUrl,
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: anthropicUrl,
        GEMINI_API_KEY: FAKE_GEMINI_API_KEY,
        GEMINI_BASE_URL: geminiUrl,
      },
    });
    key = await issueKey(gw);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
    gemini.reset();
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  });

  it('forwards every field of contract 4.2 to OpenAI verbatim, and returns n choices with logprobs', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-5.2',
      messages: hi,
      ...EVERY_FIELD,
    });

    const sent = openai.lastRequest!.body as Record<string, unknown>;
    for (const [field, value] of Object.entries(EVERY_FIELD)) {
      expect([field, sent[field]]).toEqual([field, value]);
    }
    expect(completion.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, DEFAULT_REPLY_TEXT],
      [1, `${DEFAULT_REPLY_TEXT} (choice 1)`],
    ]);
    const tokens = completion.choices[0].logprobs?.content ?? [];
    expect(tokens.map((t) => t.token).join('')).toBe(DEFAULT_REPLY_TEXT);
    expect(tokens[0].top_logprobs).toHaveLength(2);
  });

  it('streams n choices, each chunk carrying its index', async () => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-5-mini', messages: hi, n: 3, stream: true }),
    });
    expect(response.status).toBe(200);
    const { data } = await readSse(response);
    expect(data[data.length - 1]).toBe('[DONE]');
    const texts = new Map<number, string>();
    const finished = new Set<number>();
    for (const frame of data.slice(0, -1)) {
      for (const choice of JSON.parse(frame).choices as OpenAI.ChatCompletionChunk.Choice[]) {
        texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta.content ?? ''));
        if (choice.finish_reason) finished.add(choice.index);
      }
    }
    expect(Object.fromEntries(texts)).toEqual({
      0: DEFAULT_REPLY_TEXT,
      1: `${DEFAULT_REPLY_TEXT} (choice 1)`,
      2: `${DEFAULT_REPLY_TEXT} (choice 2)`,
    });
    expect([...finished].sort()).toEqual([0, 1, 2]);
    expect((openai.lastRequest!.body as { n?: number }).n).toBe(3);
  });

  it('maps reasoning_effort to Anthropic thinking: the SDK gets the text, not the thinking', async () => {
    anthropic.setReply({ thinking: 'Let me think about greetings.' });
    const completion = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: hi,
      reasoning_effort: 'medium',
      safety_identifier: 'user-hash-1',
    });

    expect(completion.choices[0].message.content).toBe(CLAUDE_TEXT);
    const sent = anthropic.lastRequest!.body as Record<string, unknown>;
    expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(sent.max_tokens).toBe(8192 + 1024);
    expect(sent.metadata).toEqual({ user_id: 'user-hash-1' });
    expect(sent).not.toHaveProperty('reasoning_effort');
  });

  it('streams a thinking Claude answer without the thinking', async () => {
    anthropic.setReply({ thinking: 'Secret reasoning.' });
    const stream = await client.chat.completions.create({
      model: 'claude-opus-5',
      messages: hi,
      reasoning_effort: 'low',
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(CLAUDE_TEXT);
    expect((anthropic.lastRequest!.body as { thinking?: unknown }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2048,
    });
  });

  it('maps reasoning_effort and n for Gemini: thinkingConfig and candidateCount, n choices back', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: hi,
      reasoning_effort: 'high',
      n: 2,
    });
    const sent = gemini.lastRequest!.body as { generationConfig?: Record<string, unknown> };
    expect(sent.generationConfig).toMatchObject({
      thinkingConfig: { thinkingBudget: 16384 },
      candidateCount: 2,
    });
    expect(completion.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(completion.choices[1].message.content).toMatch(/\(candidate 1\)$/);
  });

  it('refuses n with stream: true for Gemini, naming n', async () => {
    const res = await postJson(
      `${gw.url}/v1/chat/completions`,
      { model: 'gemini-2.5-flash', messages: hi, n: 2, stream: true },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unsupported_capability', param: 'n' });
    expect(gemini.requests).toHaveLength(0);
  });

  it.each([
    ['logprobs', { logprobs: true }],
    ['n', { n: 2 }],
    ['service_tier', { service_tier: 'priority' }],
    ['audio', { modalities: ['text'], audio: { format: 'wav', voice: 'alloy' } }],
  ])(
    'refuses %s for Anthropic with 400 unsupported_capability naming it, before any call',
    async (field, extra) => {
      const res = await postJson(
        `${gw.url}/v1/chat/completions`,
        { model: 'claude-sonnet-4-5', messages: hi, ...extra },
        { authorization: `Bearer ${key}` },
      );
      expect(res.status).toBe(400);
      const param = field === 'audio' ? 'modalities' : field;
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'unsupported_capability',
        param,
      });
      expect(res.body.error.message).toBe(
        `Provider 'anthropic' does not support '${param}' on model 'claude-sonnet-4-5'.`,
      );
      expect(anthropic.requests).toHaveLength(0);
    },
  );

  it('refuses reasoning_effort that thinking cannot honour, naming the field', async () => {
    const res = await postJson(
      `${gw.url}/v1/chat/completions`,
      { model: 'claude-sonnet-4-5', messages: hi, reasoning_effort: 'high', max_tokens: 500 },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unsupported_capability', param: 'max_tokens' });
    expect(anthropic.requests).toHaveLength(0);
  });

  it('refuses a badly shaped field with a validation error naming it', async () => {
    const res = await postJson(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-5.2', messages: hi, reasoning_effort: 'maximum' },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', param: 'reasoning_effort' });
    expect(openai.requests).toHaveLength(0);
  });

  it('lists current models, per-model capabilities, and no retired ones', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['gpt-5.2', 'claude-sonnet-4-5', 'claude-opus-5', 'gemini-2.5-pro']),
    );
    expect(ids.filter((id) => /^claude-3|^gemini-1\.5|^gpt-3\.5/.test(id))).toEqual([]);
    const card = (id: string) =>
      (models.data.find((m) => m.id === id) as unknown as { capabilities: Record<string, unknown> })
        .capabilities;
    expect(card('gpt-5.2').max_context_tokens).toBe(400_000);
    expect(card('gpt-4.1').max_context_tokens).toBe(1_047_576);
    expect(card('claude-opus-5').max_context_tokens).toBe(200_000);
  });
});
