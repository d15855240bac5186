import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../fakes/fake-anthropic.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  postJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';
import { AuditTrail } from '../../src/governance/audit/audit-trail.service.js';
import { ApiKeyService } from '../../src/governance/auth/api-key.service.js';
import type { TenantSettings } from '../../src/storage/tenant.types.js';
import { TenantRepository } from '../../src/storage/tenant.repository.js';

const EMAIL = 'jane.doe@example.com';
const SSN = '123-45-6789';
const CARD = '4111 1111 1111 1111';
const TOKEN_SHAPE = /\{\{PII_[A-Z_]+_[0-9a-f]{8}\}\}/g;

type Message = { role: string; content?: unknown; tool_calls?: unknown };
type Body = { messages: Message[]; input?: unknown };

/** The text of the last user message of a recorded chat request (what the fake echoes back). */
function lastUserText(body: Body): string {
  const user = body.messages.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content);
}

async function stream(gw: GatewayUnderTest, key: string, body: object) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const { data } = await readSse(res);
  const frames = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
  const chunks = frames.filter((f) => f.object === 'chat.completion.chunk');
  const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  return { res, data, frames, chunks, content };
}

/**
 * PII end to end (contract 9): what the upstream receives under each action, what the caller gets
 * back (tokens restored in JSON, in streams split every few characters, in tool calls), answers
 * scanned for PII the model produced, per-tenant types and patterns, the policy `pii` condition,
 * and hostile input. The fakes record each request and echo the caller's text back.
 */
describe('PII through the gateway', () => {
  const openai = new FakeOpenAiServer();
  const anthropic = new FakeAnthropicServer();
  let gw: GatewayUnderTest;
  const keys: Record<string, string> = {};
  const chat = (tenant: string, body: object) =>
    postJson(`${gw.url}/v1/chat/completions`, body, { authorization: `Bearer ${keys[tenant]}` });
  const ask = (text: string, model = 'gpt-4o') => ({
    model,
    messages: [{ role: 'user', content: text }],
  });
  const received = () => openai.requests.at(-1)!.body as Body;
  const echo = () =>
    openai.setReply((request) => ({ content: lastUserText(request.body as Body) }));

  beforeAll(async () => {
    await openai.start();
    await anthropic.start();
    gw = await startGateway({
      singleAttempt: true,
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        GATEWAY_ADMIN_TOKEN: TOKEN,
      },
      yaml: `
gateway:
  pii:
    custom-patterns:
      ticket: 'TCK-[0-9]{5}'
  policies:
    - id: no-cards
      tenant: strict-cards
      dsl: |
        rules:
          - id: cards
            conditions:
              pii: { detected: [CREDIT_CARD] }
            deny_message: "Card numbers may not be sent to a model."
`,
    });
    const tenants = gw.app.get(TenantRepository);
    const issuer = gw.app.get(ApiKeyService);
    const make: [string, TenantSettings][] = [
      ['logger', {}],
      ['redactor', { piiAction: 'REDACT' }],
      ['tokenizer', { piiAction: 'TOKENIZE' }],
      ['blocker', { piiAction: 'BLOCK' }],
      ['emails-only', { piiAction: 'REDACT', piiTypes: ['EMAIL'] }],
      ['strict-cards', { piiAction: 'REDACT' }],
      ['patterned', { piiAction: 'REDACT', piiCustomPatterns: { employee: 'EMP-[0-9]{6}' } }],
    ];
    for (const [id, settings] of make) {
      await tenants.create({ id, name: id, settings });
      keys[id] = (await issuer.create(id, { name: 'e2e' })).plaintext;
    }
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
  });
  afterAll(async () => {
    await gw.close();
    await openai.close();
    await anthropic.close();
  });

  describe('the request', () => {
    it('LOG (the default) sends the text unchanged', async () => {
      const res = await chat('logger', ask(`Mail ${EMAIL} about SSN ${SSN}`));
      expect(res.status).toBe(200);
      expect(lastUserText(received())).toBe(`Mail ${EMAIL} about SSN ${SSN}`);
    });

    it('REDACT replaces every finding in every message, text part, tool call and tool result', async () => {
      const res = await chat('redactor', {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: `Escalate to ${EMAIL}.` },
          { role: 'user', content: [{ type: 'text', text: `Card ${CARD}, please` }] },
          {
            role: 'assistant',
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'lookup', arguments: JSON.stringify({ ssn: SSN, n: 1 }) },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: `Owner: ${EMAIL}` },
          { role: 'user', content: 'Summarise.' },
        ],
      });
      expect(res.status).toBe(200);
      const sent = received();
      expect(sent.messages[0].content).toBe('Escalate to [REDACTED_EMAIL].');
      expect(sent.messages[1].content).toEqual([
        { type: 'text', text: 'Card [REDACTED_CREDIT_CARD], please' },
      ]);
      const args = (sent.messages[2].tool_calls as { function: { arguments: string } }[])[0]
        .function.arguments;
      expect(JSON.parse(args)).toEqual({ ssn: '[REDACTED_SSN]', n: 1 });
      expect(sent.messages[3].content).toBe('Owner: [REDACTED_EMAIL]');
      expect(JSON.stringify(sent)).not.toContain(EMAIL);
    });

    it('REDACT covers embeddings input too', async () => {
      const res = await postJson(
        `${gw.url}/v1/embeddings`,
        { model: 'text-embedding-3-small', input: [`to ${EMAIL}`, 'plain'] },
        { authorization: `Bearer ${keys.redactor}` },
      );
      expect(res.status).toBe(200);
      expect(received().input).toEqual(['to [REDACTED_EMAIL]', 'plain']);
    });

    it('TOKENIZE sends tokens (one per distinct value) and acts as REDACT for embeddings', async () => {
      echo();
      const res = await chat('tokenizer', ask(`${EMAIL}, ${SSN} and again ${EMAIL}`));
      expect(res.status).toBe(200);
      const sent = lastUserText(received());
      const tokens = sent.match(TOKEN_SHAPE) ?? [];
      expect(tokens).toHaveLength(3);
      expect(tokens[0]).toMatch(/^\{\{PII_EMAIL_[0-9a-f]{8}\}\}$/);
      expect(tokens[1]).toMatch(/^\{\{PII_SSN_[0-9a-f]{8}\}\}$/);
      expect(tokens[2]).toBe(tokens[0]);
      expect(sent).not.toContain(EMAIL);
      const embedded = await postJson(
        `${gw.url}/v1/embeddings`,
        { model: 'text-embedding-3-small', input: `to ${EMAIL}` },
        { authorization: `Bearer ${keys.tokenizer}` },
      );
      expect(embedded.status).toBe(200);
      expect(received().input).toBe('to [REDACTED_EMAIL]');
    });

    it('BLOCK refuses with 400 pii_detected naming the types; the provider is never called', async () => {
      const res = await chat('blocker', ask(`SSN ${SSN}, mail ${EMAIL}`));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        message: 'Request blocked: PII detected (EMAIL, SSN)',
        type: 'pii_violation',
        param: null,
        code: 'pii_detected',
      });
      expect(openai.requests).toHaveLength(0);
      expect(JSON.stringify(res.body)).not.toContain(SSN);
      expect((await chat('blocker', ask('nothing personal here'))).status).toBe(200);
    });

    it("scans only a tenant's own types when it names them", async () => {
      await chat('emails-only', ask(`${EMAIL} ${SSN}`));
      expect(lastUserText(received())).toBe(`[REDACTED_EMAIL] ${SSN}`);
    });

    it("applies the installation's and the tenant's custom patterns, as CUSTOM", async () => {
      await chat('patterned', ask('ticket TCK-12345 for EMP-123456'));
      expect(lastUserText(received())).toBe('ticket [REDACTED_CUSTOM] for [REDACTED_CUSTOM]');
      await chat('redactor', ask('ticket TCK-12345 for EMP-123456'));
      expect(lastUserText(received())).toBe('ticket [REDACTED_CUSTOM] for EMP-123456');
    });

    it('feeds the policy pii condition: a DENY rule on CREDIT_CARD refuses before the PII action', async () => {
      const res = await chat('strict-cards', ask(`charge ${CARD}`));
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Card numbers may not be sent to a model.');
      expect(openai.requests).toHaveLength(0);
      expect((await chat('strict-cards', ask(`mail ${EMAIL}`))).status).toBe(200);
    });
  });

  describe('the answer', () => {
    it('TOKENIZE restores the tokens in a JSON answer', async () => {
      echo();
      const res = await chat('tokenizer', ask(`Write to ${EMAIL} about ${SSN}.`));
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe(`Write to ${EMAIL} about ${SSN}.`);
    });

    it('TOKENIZE restores tokens split across stream chunks, chunk schema and usage intact', async () => {
      echo();
      const text = `Dear ${EMAIL}, your SSN ${SSN} and card ${CARD} are on file. Bye ${EMAIL}!`;
      const { res, chunks, content, data } = await stream(gw, keys.tokenizer, {
        ...ask(text),
        stream_options: { include_usage: true },
      });
      expect(res.status).toBe(200);
      expect(content).toBe(text);
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(finish).toHaveLength(1);
      expect(finish[0].choices[0].finish_reason).toBe('stop');
      expect(chunks.at(-1).choices).toEqual([]);
      expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
      expect(data.at(-1)).toBe('[DONE]');
    });

    it('TOKENIZE restores tokens inside tool-call arguments, JSON and streamed', async () => {
      openai.setReply((request) => {
        const token = lastUserText(request.body as Body).match(TOKEN_SHAPE)![0];
        return { toolCalls: [{ name: 'send_mail', arguments: JSON.stringify({ to: token }) }] };
      });
      const json = await chat('tokenizer', ask(`mail ${EMAIL}`));
      expect(json.status).toBe(200);
      const call = json.body.choices[0].message.tool_calls[0];
      expect(JSON.parse(call.function.arguments)).toEqual({ to: EMAIL });
      const streamed = await stream(gw, keys.tokenizer, ask(`mail ${EMAIL}`));
      const args = streamed.chunks
        .flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])
        .map((d: { function?: { arguments?: string } }) => d.function?.arguments ?? '')
        .join('');
      expect(JSON.parse(args)).toEqual({ to: EMAIL });
      expect(streamed.chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
    });

    it('leaves a token-shaped text the caller typed alone: nothing issued, nothing restored', async () => {
      echo();
      const typed = 'keep {{PII_EMAIL_00000000}} as it is';
      const res = await chat('tokenizer', ask(typed));
      expect(lastUserText(received())).toBe(typed);
      expect(res.body.choices[0].message.content).toBe(typed);
    });

    it('REDACT redacts PII the model produced, in JSON and in a stream', async () => {
      openai.setReply({ content: `Sure: call me at ${EMAIL} or use SSN ${SSN}.` });
      const json = await chat('redactor', ask('who?'));
      expect(json.body.choices[0].message.content).toBe(
        'Sure: call me at [REDACTED_EMAIL] or use SSN [REDACTED_SSN].',
      );
      const streamed = await stream(gw, keys.redactor, ask('who?'));
      expect(streamed.content).toBe('Sure: call me at [REDACTED_EMAIL] or use SSN [REDACTED_SSN].');
    });

    it('LOG passes PII the model produced through unchanged', async () => {
      openai.setReply({ content: `Reach ${EMAIL}` });
      const json = await chat('logger', ask('who?'));
      expect(json.body.choices[0].message.content).toBe(`Reach ${EMAIL}`);
    });

    it('BLOCK refuses a JSON answer with PII with 400 pii_detected', async () => {
      openai.setReply({ content: `The SSN is ${SSN}.` });
      const res = await chat('blocker', ask('tell me'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'pii_detected',
        type: 'pii_violation',
        message: 'Response blocked: PII detected (SSN)',
      });
      expect(JSON.stringify(res.body)).not.toContain(SSN);
    });

    it('BLOCK ends a stream with one pii_detected frame before any offending text is sent', async () => {
      const before = 'Here is everything you asked for, in some detail. The SSN is ';
      openai.setReply({ content: `${before}${SSN}, and that is all.` });
      const { res, data, content } = await stream(gw, keys.blocker, ask('tell me'));
      expect(res.status).toBe(200);
      expect(content.length).toBeGreaterThan(0);
      expect(before.startsWith(content)).toBe(true);
      expect(data.join('')).not.toContain('6789');
      const errors = data.filter((d) => d.includes('"error"'));
      expect(errors).toHaveLength(1);
      expect(JSON.parse(errors[0]).error).toMatchObject({
        code: 'pii_detected',
        message: 'Response blocked: PII detected (SSN)',
      });
    });
  });

  describe('the audit trail', () => {
    it('records types and counts per direction, and never a value', async () => {
      openai.setReply({ content: `Ask ${SSN}` });
      const res = await chat('tokenizer', ask(`${EMAIL} and ${EMAIL}`));
      const traceId = res.headers.get('x-trace-id')!;
      await gw.app.get(AuditTrail).flush();
      const answer = await call(gw, 'GET', `/v1/admin/audit?trace_id=${traceId}`);
      const byType = Object.fromEntries(
        (answer.body.data as { event_type: string; payload: object }[]).map((r) => [
          r.event_type,
          r.payload,
        ]),
      );
      expect(byType.PII_TOKENIZED).toMatchObject({
        direction: 'request',
        action: 'TOKENIZE',
        types: { EMAIL: 2 },
      });
      expect(byType.PII_OUTPUT_LEAK).toMatchObject({ direction: 'response', types: { SSN: 1 } });
      expect(byType.GATEWAY_RESPONSE).toMatchObject({
        pii_request_types: { EMAIL: 2 },
        pii_response_types: { SSN: 1 },
      });
      const blocked = await chat('blocker', ask(`mail ${EMAIL}`));
      await gw.app.get(AuditTrail).flush();
      const refusal = await call(
        gw,
        'GET',
        `/v1/admin/audit?trace_id=${blocked.headers.get('x-trace-id')}&event_type=PII_BLOCKED`,
      );
      expect(refusal.body.data[0].payload).toMatchObject({ direction: 'request', action: 'BLOCK' });
      const all = await fetch(`${gw.url}/v1/admin/audit/export?format=jsonl`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const text = await all.text();
      expect(text).toContain('PII_TOKENIZED');
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain(SSN);
    });
  });

  describe('through Anthropic', () => {
    it('TOKENIZE: the Messages API sees tokens; JSON and stream answers come back restored', async () => {
      anthropic.setReply((request) => {
        const body = request.body as { messages: { content: unknown }[] };
        const content = body.messages.at(-1)!.content;
        return { text: typeof content === 'string' ? content : JSON.stringify(content) };
      });
      const text = `Forward ${EMAIL} the card ${CARD}.`;
      const json = await chat('tokenizer', ask(text, 'claude-sonnet-4-5'));
      expect(json.status).toBe(200);
      const sent = JSON.stringify(anthropic.requests.at(-1)!.body);
      expect(sent).not.toContain(EMAIL);
      expect(sent).toMatch(/\{\{PII_EMAIL_[0-9a-f]{8}\}\}/);
      expect(json.body.choices[0].message.content).toBe(text);
      const streamed = await stream(gw, keys.tokenizer, ask(text, 'claude-sonnet-4-5'));
      expect(streamed.content).toBe(text);
    });
  });

  describe('tenant patterns on the admin API', () => {
    it('refuses a pattern that can backtrack catastrophically, and one that does not compile', async () => {
      for (const pattern of ['(a+)+$', '([a-z]*)*x', '(unclosed']) {
        const res = await call(gw, 'POST', '/v1/admin/tenants', {
          body: { name: 'risky', settings: { pii_custom_patterns: { bad: pattern } } },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.param).toBe('settings.pii_custom_patterns');
      }
    });

    it('stores pii_types and pii_custom_patterns and applies them on the next call', async () => {
      const created = await call(gw, 'POST', '/v1/admin/tenants', {
        body: {
          id: 'via-admin',
          name: 'via admin',
          settings: {
            pii_action: 'redact',
            pii_types: ['email'],
            pii_custom_patterns: { badge: 'BDG[0-9]{4}' },
          },
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.settings).toEqual({
        pii_action: 'REDACT',
        pii_types: ['EMAIL'],
        pii_custom_patterns: { badge: 'BDG[0-9]{4}' },
      });
      const key = await call(gw, 'POST', '/v1/admin/tenants/via-admin/keys', { body: {} });
      await postJson(`${gw.url}/v1/chat/completions`, ask(`${EMAIL} BDG1234 ${SSN}`), {
        authorization: `Bearer ${key.body.key}`,
      });
      expect(lastUserText(received())).toBe(`[REDACTED_EMAIL] [REDACTED_CUSTOM] ${SSN}`);
    });
  });

  describe('hostile input', () => {
    it('a million a then !, and a megabyte of digits, answer promptly and stay intact', async () => {
      echo();
      const as = `${'a'.repeat(1_000_000)}!`;
      const res = await chat('redactor', ask(as));
      expect(res.status).toBe(200);
      expect(lastUserText(received())).toBe(as);
      const digits = '7'.repeat(1_000_000);
      expect((await chat('redactor', ask(digits))).status).toBe(200);
    });

    it('tool-call arguments that are not JSON are scanned as text', async () => {
      const res = await chat('redactor', {
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'f', arguments: `{not json: ${EMAIL}` },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
      });
      expect(res.status).toBe(200);
      const args = (received().messages[1].tool_calls as { function: { arguments: string } }[])[0]
        .function.arguments;
      expect(args).toBe('{not json: [REDACTED_EMAIL]');
    });

    it('a lone surrogate in the text is carried, not a crash', async () => {
      const res = await chat('redactor', {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: `bad \ud800 text ${EMAIL}` }],
      });
      expect(res.status).toBe(200);
      expect(lastUserText(received())).toContain('[REDACTED_EMAIL]');
    });
  });
});

describe('PII never reaches a log line', () => {
  const openai = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  const logs: string[] = [];

  beforeAll(async () => {
    await openai.start();
    gw = await startGateway({
      singleAttempt: true,
      logSink: logs,
      env: {
        LOG_LEVEL: 'debug',
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
      },
      yaml: 'gateway:\n  pii:\n    default-action: BLOCK\n',
    });
  });
  afterAll(async () => {
    await gw.close();
    await openai.close();
  });

  it('refusing a request and an answer for PII logs neither value', async () => {
    const refused = await postJson(`${gw.url}/v1/chat/completions`, {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: `mail ${EMAIL}` }],
    });
    expect(refused.status).toBe(400);
    openai.setReply({ content: `SSN ${SSN}` });
    const answered = await postJson(`${gw.url}/v1/chat/completions`, {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(answered.status).toBe(400);
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join('\n');
    expect(all).not.toContain(EMAIL);
    expect(all).not.toContain(SSN);
  });
});
