import { concat, from, lastValueFrom, of, Subject, throwError } from 'rxjs';
import { ErrorCode } from '../../../common/errors/error-code.js';
import { GatewayError } from '../../../common/errors/gateway-error.js';
import type { ChatCompletion, ChatCompletionChunk } from '../../../providers/llm-provider.types.js';
import type { ChatAnswerPart } from '../../pipeline/answer-stage.js';
import {
  chunk,
  completion,
  content,
  contentOf,
  finish,
  record,
  role,
  runChunks,
  SHELL,
  tools,
  usageChunk,
} from './answer-chunks.fixture.js';
import { type Action, FixtureRewriter } from './answer-rewriters.fixture.js';
import { piiAnswerOperator } from './pii-answer.operator.js';

const TOKEN = '{{PII_EMAIL_3f9a0b12}}';
const TOKENS = new Map([[TOKEN, 'ann@example.com']]);
const rewriter = (action: Action = 'REDACT') => new FixtureRewriter({ tokens: TOKENS, action });

async function json(answer: ChatCompletion, rw: FixtureRewriter): Promise<ChatCompletion> {
  const part = await lastValueFrom(
    of<ChatAnswerPart>({ kind: 'completion', value: answer }).pipe(piiAnswerOperator(rw, 64)),
  );
  return part.value as ChatCompletion;
}

describe(piiAnswerOperator.name, () => {
  describe('JSON answers', () => {
    it('restores tokens and redacts PII in content, refusal and tool-call arguments', async () => {
      const rw = rewriter();
      const answer = completion({
        content: `Mail ${TOKEN} or bob@example.org.`,
        refusal: 'not for 123456789',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'send', arguments: `{"to":"${TOKEN}","cc":"eve@example.net"}` },
          },
        ],
      });
      const before = structuredClone(answer);
      const out = await json(answer, rw);
      const { message } = out.choices[0];
      expect(message.content).toBe('Mail ann@example.com or [REDACTED_EMAIL].');
      expect(message.refusal).toBe('not for [REDACTED_SSN]');
      expect(message.tool_calls?.[0]).toEqual({
        id: 'call_1',
        type: 'function',
        function: { name: 'send', arguments: '{"to":"ann@example.com","cc":"[REDACTED_EMAIL]"}' },
      });
      expect(rw.reported).toEqual(['EMAIL', 'SSN', 'EMAIL']);
      expect(answer).toEqual(before);
      expect({ ...out, choices: [] }).toEqual({ ...answer, choices: [] });
    });

    it('under LOG reports each finding and leaves the PII as it is', async () => {
      const rw = rewriter('LOG');
      const out = await json(completion({ content: `${TOKEN}: a@b.io, c@d.io` }), rw);
      expect(out.choices[0].message.content).toBe('ann@example.com: a@b.io, c@d.io');
      expect(rw.reported).toEqual(['EMAIL', 'EMAIL']);
    });

    it('under BLOCK refuses an answer with PII, naming each type once in order', async () => {
      const rw = rewriter('BLOCK');
      const answer = completion({
        content: 'SSN 123456789 and a@b.io',
        tool_calls: [
          { id: 'c', type: 'function', function: { name: 'f', arguments: '{"e":"x@y.io"}' } },
        ],
      });
      const error = await json(answer, rw).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({
        code: ErrorCode.PiiDetected,
        status: 400,
        type: 'pii_violation',
        message: 'Response blocked: PII detected (SSN, EMAIL)',
      });
      expect(rw.reported).toEqual(['SSN', 'EMAIL', 'EMAIL']);
    });

    it('under BLOCK lets an answer through whose only edits restore tokens', async () => {
      const rw = rewriter('BLOCK');
      const out = await json(completion({ content: `to ${TOKEN}, not {{PII_SSN_00000000}}` }), rw);
      expect(out.choices[0].message.content).toBe('to ann@example.com, not {{PII_SSN_00000000}}');
      expect(rw.reported).toEqual([]);
    });
  });

  describe('streams', () => {
    it('restores a token split at every offset, keeping every chunk and its fields', () => {
      const text = `Dear ${TOKEN}, thanks for the note about the plan.`;
      for (let cut = 0; cut <= text.length; cut += 1) {
        const upstream = [role(), content(0, text.slice(0, cut)), content(0, text.slice(cut))];
        const { chunks, completed } = runChunks([...upstream, finish()], rewriter(), 24);
        expect(completed).toBe(true);
        expect(contentOf(chunks)).toBe('Dear ann@example.com, thanks for the note about the plan.');
        expect(chunks).toHaveLength(4);
        expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
        expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
        for (const c of chunks) expect({ ...c, choices: [] }).toEqual({ ...SHELL, choices: [] });
      }
    });

    it('gives a chunk whose text is all held an empty content, and releases the rest with the finish', () => {
      const { chunks } = runChunks([content(0, 'Hi {{PII_EM'), finish()], rewriter(), 24);
      expect(chunks.map((c) => c.choices[0].delta)).toEqual([
        { content: '' },
        { content: 'Hi {{PII_EM' },
      ]);
    });

    it('keeps interleaved choices apart', () => {
      const upstream = [
        content(0, 'zero: {{PII_EM'),
        content(1, 'one: bob@exa'),
        content(0, 'AIL_3f9a0b12}} ok'),
        content(1, 'mple.org ok'),
        finish(1),
        finish(0),
      ];
      const { chunks } = runChunks(upstream, rewriter(), 24);
      expect(contentOf(chunks, 0)).toBe('zero: ann@example.com ok');
      expect(contentOf(chunks, 1)).toBe('one: [REDACTED_EMAIL] ok');
      expect(chunks.map((c) => c.choices[0].index)).toEqual([0, 1, 0, 1, 1, 0]);
    });

    it('streams a refusal like content', () => {
      const upstream = [
        chunk([{ index: 0, delta: { refusal: 'I cannot mail b' }, finish_reason: null }]),
        chunk([{ index: 0, delta: { refusal: 'ob@example.org' }, finish_reason: 'stop' }]),
      ];
      const { chunks } = runChunks(upstream, rewriter(), 24);
      expect(chunks.map((c) => c.choices[0].delta.refusal).join('')).toBe(
        'I cannot mail [REDACTED_EMAIL]',
      );
    });

    it('holds each tool call until the next starts or the choice finishes, then sends it whole', () => {
      const rw = rewriter();
      const upstream = [
        chunk([{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }]),
        tools(0, [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'mail', arguments: '' } },
        ]),
        tools(0, [{ index: 0, function: { arguments: '{"to":"bob@ex' } }]),
        tools(0, [{ index: 0, function: { arguments: 'ample.org"}' } }]),
        tools(0, [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'look', arguments: '{"q":' },
          },
        ]),
        tools(0, [{ index: 1, function: { arguments: `"${TOKEN}"}` } }]),
        finish(0, 'tool_calls'),
      ];
      const { chunks } = runChunks(upstream, rw, 24);
      expect(chunks).toHaveLength(upstream.length);
      const deltas = chunks.map((c) => c.choices[0].delta);
      expect(deltas[0]).toEqual({ role: 'assistant', content: null });
      expect(deltas.slice(1, 4)).toEqual([{}, {}, {}]);
      expect(deltas[4]).toEqual({
        tool_calls: [
          {
            index: 0,
            id: 'call_a',
            type: 'function',
            function: { name: 'mail', arguments: '{"to":"[REDACTED_EMAIL]"}' },
          },
        ],
      });
      expect(deltas[5]).toEqual({});
      expect(deltas[6]).toEqual({
        tool_calls: [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'look', arguments: '{"q":"ann@example.com"}' },
          },
        ],
      });
      expect(chunks[6].choices[0].finish_reason).toBe('tool_calls');
      expect(rw.reported).toEqual(['EMAIL']);
    });

    it('keeps the usage chunk last, releasing what is held ahead of it', () => {
      const withUsage = (c: ChatCompletionChunk) => ({ ...c, usage: null });
      const upstream = [
        withUsage(role()),
        withUsage(content(0, 'Mail bob@example.org')),
        usageChunk(),
      ];
      const { chunks } = runChunks(upstream, rewriter(), 24);
      expect(chunks).toHaveLength(4);
      expect(chunks[3]).toEqual(upstream[2]);
      expect(chunks[2]).toEqual({
        ...SHELL,
        choices: [{ index: 0, delta: { content: 'Mail [REDACTED_EMAIL]' }, finish_reason: null }],
        usage: null,
      });
    });

    it('releases what is held when the stream completes without a finish reason', () => {
      const { chunks, completed } = runChunks([role(), content(0, `to ${TOKEN}`)], rewriter(), 32);
      expect(completed).toBe(true);
      expect(chunks).toHaveLength(3);
      expect(chunks[2]).toEqual({
        ...SHELL,
        choices: [{ index: 0, delta: { content: 'to ann@example.com' }, finish_reason: null }],
      });
    });

    it('under LOG reports each finding once, when it is released', () => {
      const rw = rewriter('LOG');
      const text = 'a@b.io then 123456789 then c@d.io and more text after all that';
      const upstream = [...text].map((c) => content(0, c));
      const { chunks } = runChunks([...upstream, finish()], rw, 24);
      expect(contentOf(chunks)).toBe(text);
      expect(rw.reported).toEqual(['EMAIL', 'SSN', 'EMAIL']);
    });

    it('under BLOCK errors before any offending text is sent, after the text before it', () => {
      const rw = rewriter('BLOCK');
      const text = `Sure, ${TOKEN} is in the file; the other one is bob@example.org, and more.`;
      const upstream = [role(), ...[...text].map((c) => content(0, c)), finish()];
      const { chunks, error, completed } = runChunks(upstream, rw, 24);
      expect(completed).toBe(false);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({
        code: ErrorCode.PiiDetected,
        message: 'Response blocked: PII detected (EMAIL)',
      });
      expect(contentOf(chunks)).toBe('Sure, ann@example.com is in the file; the other one is ');
      expect(rw.reported).toEqual(['EMAIL']);
    });

    it('under BLOCK stops at the first refused chunk, reporting nothing after it', () => {
      const rw = rewriter('BLOCK');
      const upstream = [
        content(0, 'x@y.io and 123456789 and more and more text'),
        content(0, ' z@w.io'),
        finish(),
      ];
      const { chunks, error } = runChunks(upstream, rw, 8);
      expect(error).toBeInstanceOf(GatewayError);
      expect(chunks).toEqual([]);
      expect(rw.reported).toEqual(['EMAIL', 'SSN']);
      expect((error as Error).message).toBe('Response blocked: PII detected (EMAIL, SSN)');
    });

    it('under BLOCK refuses a held tool call with PII before sending it', () => {
      const rw = rewriter('BLOCK');
      const upstream = [
        content(0, 'calling'),
        tools(0, [
          {
            index: 0,
            id: 'c',
            type: 'function',
            function: { name: 'f', arguments: '{"a":"x@y.io"}' },
          },
        ]),
        finish(0, 'tool_calls'),
      ];
      const { chunks, error } = runChunks(upstream, rw, 24);
      expect(error).toMatchObject({ code: ErrorCode.PiiDetected });
      expect(chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? [])).toEqual([]);
    });

    it('passes an upstream error on, dropping what it held', () => {
      const rw = rewriter();
      const failure = new GatewayError(ErrorCode.ProviderError, 'upstream failed');
      const parts = [role(), content(0, 'The address is at the end: bob@exam')].map(
        (value): ChatAnswerPart => ({ kind: 'chunk', value }),
      );
      const out = record(
        concat(
          from(parts),
          throwError(() => failure),
        ).pipe(piiAnswerOperator(rw, 24)),
      );
      expect(out.error).toBe(failure);
      expect(contentOf(out.chunks)).toBe('The address');
      expect(rw.reported).toEqual([]);
    });

    it('gives each subscription its own state', () => {
      const source$ = from(
        [content(0, `hi ${TOKEN}`)].map((value) => ({ kind: 'chunk', value }) as const),
      );
      const piped$ = source$.pipe(piiAnswerOperator(rewriter(), 24));
      expect(contentOf(record(piped$).chunks)).toBe('hi ann@example.com');
      expect(contentOf(record(piped$).chunks)).toBe('hi ann@example.com');
    });

    it('holds a bounded amount of a 1 MB answer without findings, and scans little of it twice', () => {
      const holdback = 64;
      const rw = rewriter();
      const subject = new Subject<ChatAnswerPart>();
      let emitted = 0;
      let maxChunk = 0;
      subject.pipe(piiAnswerOperator(rw, holdback)).subscribe((part) => {
        const text = contentOf([part.value as ChatCompletionChunk]);
        emitted += text.length;
        maxChunk = Math.max(maxChunk, text.length);
      });
      const text = 'the quick brown fox jumps over the lazy dog; '.repeat(23_000);
      let sent = 0;
      let seed = 7;
      let deltas = 0;
      while (sent < text.length) {
        seed = (seed * 48_271) % 2_147_483_647;
        const delta = text.slice(sent, sent + 1 + (seed % 2000));
        subject.next({ kind: 'chunk', value: content(0, delta) });
        sent += delta.length;
        deltas += 1;
        expect(sent - emitted).toBeLessThanOrEqual(holdback);
      }
      subject.next({ kind: 'chunk', value: finish() });
      subject.complete();
      expect(emitted).toBe(sent);
      expect(maxChunk).toBeLessThanOrEqual(2000 + holdback);
      expect(rw.scannedChars).toBeLessThanOrEqual(sent + (deltas + 1) * 2 * holdback);
    });
  });
});
