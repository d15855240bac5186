import { appendFileSync } from 'node:fs';
import { ERROR_SPECS, ErrorCode } from '../../../src/common/errors/error-code.js';
import { messagesErrorType } from '../../../src/common/errors/messages-error-envelope.js';
import type { WireBody } from './fuzz-bodies.js';

/** One request of a fuzz run and what came back. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly sent?: WireBody;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** Sends one request; a transport failure or a hang (no answer in 15 s) is an answer of status 0. */
export async function exchange(
  origin: string,
  method: string,
  path: string,
  sent: WireBody | undefined,
  headers: Record<string, string>,
): Promise<Exchange> {
  const all: Record<string, string> = { ...headers };
  if (sent !== undefined && sent.contentType !== '') all['content-type'] = sent.contentType;
  try {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: all,
      body: sent?.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return {
      method,
      path,
      sent,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
    };
  } catch (error) {
    return {
      method,
      path,
      sent,
      status: 0,
      contentType: '',
      text: `transport failure: ${describe(error)}`,
    };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/**
 * What is wrong with an answer, if anything: every refusal is the documented envelope with a
 * documented code and that code's status; no 5xx; no stack trace, source path or secret; a stream
 * ends with `[DONE]` or one documented error frame.
 */
export function problems(
  answer: Exchange,
  secrets: readonly string[],
  dialect: 'openai' | 'messages' | 'responses' = 'openai',
): string[] {
  const out: string[] = [];
  const { status, text } = answer;
  if (status === 0) return [text];
  if (status >= 500) out.push(`status ${status}`);
  for (const secret of secrets) if (text.includes(secret)) out.push('a secret in the answer');
  if (/\n\s+at |node_modules|\/src\/[a-z]/.test(text)) out.push('a stack trace or source path');
  if (answer.contentType.startsWith('text/event-stream')) {
    const streamCheck = {
      openai: streamProblems,
      messages: messagesStreamProblems,
      responses: responsesStreamProblems,
    }[dialect];
    out.push(...streamCheck(text));
    return out;
  }
  if (status >= 400) {
    out.push(
      ...(dialect === 'messages'
        ? messagesEnvelopeProblems(status, text)
        : envelopeProblems(status, text)),
    );
  } else if (answer.contentType.startsWith('application/json') && text !== '') {
    try {
      JSON.parse(text);
    } catch {
      out.push('a 2xx answer that is not JSON');
    }
  }
  return out;
}

function envelopeProblems(status: number, text: string): string[] {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return [`a ${status} answer that is not JSON: ${text.slice(0, 120)}`];
  }
  const error = body?.error;
  if (typeof error?.message !== 'string' || error.message === '') return ['no error.message'];
  if (typeof error.type !== 'string') return ['no error.type'];
  if (!CODES.has(error.code)) return [`undocumented code ${String(error.code)}`];
  const spec = ERROR_SPECS[error.code as ErrorCode];
  if (spec.status !== status) return [`code ${error.code} with status ${status}`];
  if (spec.type !== error.type) return [`code ${error.code} with type ${error.type}`];
  return [];
}

function streamProblems(text: string): string[] {
  const frames = text.split('\n\n').filter((f) => f.length > 0);
  if (frames.length === 0) return ['an empty stream'];
  for (const frame of frames) {
    if (!frame.startsWith('data: ')) return [`not an SSE data frame: ${frame.slice(0, 80)}`];
  }
  const last = frames[frames.length - 1].slice(6);
  if (last === '[DONE]') return [];
  try {
    const error = JSON.parse(last)?.error;
    if (CODES.has(error?.code)) return [];
    return [`a stream ending without [DONE] or a documented error: ${last.slice(0, 120)}`];
  } catch {
    return [`a stream ending in a frame that is not JSON: ${last.slice(0, 120)}`];
  }
}

/** Runs `fn` over `items`, `concurrency` at a time, in order of start. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/**
 * A readable report of the first failures, the body cut short; with FUZZ_DUMP set, the failing
 * requests are also written whole to that file, to replay them.
 */
export function report(failures: { answer: Exchange; problems: string[] }[]): string {
  const dump = process.env.FUZZ_DUMP;
  if (dump && failures.length > 0) {
    const lines = failures.map(({ answer }) =>
      JSON.stringify({
        method: answer.method,
        path: answer.path,
        contentType: answer.sent?.contentType,
        body:
          typeof answer.sent?.body === 'string'
            ? answer.sent.body
            : answer.sent?.body?.toString('base64'),
      }),
    );
    appendFileSync(dump, lines.join('\n') + '\n');
  }
  return failures
    .slice(0, 8)
    .map(({ answer, problems: p }) => {
      const body = answer.sent?.body;
      const shown =
        body === undefined
          ? ''
          : (typeof body === 'string' ? body : body.toString('latin1')).slice(0, 300);
      return `${answer.method} ${answer.path} [${answer.sent?.kind ?? 'query'}] -> ${answer.status} ${p.join('; ')}\n  sent: ${shown}\n  got: ${answer.text.slice(0, 300)}`;
    })
    .join('\n');
}

/**
 * Asserts the run reached both sides, at least `share` of the answers each: accepted (2xx) and
 * refused (4xx); the failure names every status and code seen.
 */
export function expectBothSides(answers: readonly Exchange[], share: number): void {
  const seen: Record<string, number> = {};
  let accepted = 0;
  let refused = 0;
  for (const a of answers) {
    if (a.status >= 200 && a.status < 300) accepted++;
    if (a.status >= 400 && a.status < 500) refused++;
    let code = '';
    try {
      code = (JSON.parse(a.text) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // a stream or a CSV
    }
    const key = `${a.status} ${code}`.trim();
    seen[key] = (seen[key] ?? 0) + 1;
  }
  const floor = answers.length * share;
  if (accepted < floor || refused < floor) {
    throw new Error(
      `expected at least ${floor} answers accepted and refused each, got ${accepted} and ${refused}: ${JSON.stringify(seen)}`,
    );
  }
}

/** Anthropic's envelope: `{type: "error", error: {type, message}}`, the type the status's. */
function messagesEnvelopeProblems(status: number, text: string): string[] {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return [`a ${status} answer that is not JSON: ${text.slice(0, 120)}`];
  }
  if (body?.type !== 'error') return ['no type: error'];
  const error = body.error;
  if (typeof error?.message !== 'string' || error.message === '') return ['no error.message'];
  if (error.type !== messagesErrorType(status)) {
    return [`error type ${String(error.type)} with status ${status}`];
  }
  return [];
}

/** A Messages stream ends with `message_stop`, or with one `error` event. */
function messagesStreamProblems(text: string): string[] {
  const frames = text.split('\n\n').filter((f) => f.trim().length > 0);
  if (frames.length === 0) return ['an empty stream'];
  for (const frame of frames) {
    if (!/^event: [a-z_]+\ndata: /.test(frame))
      return [`not a Messages SSE event: ${frame.slice(0, 80)}`];
  }
  const last = frames[frames.length - 1];
  if (last.startsWith('event: message_stop\n')) return [];
  if (last.startsWith('event: error\n')) {
    try {
      const body = JSON.parse(last.slice(last.indexOf('data: ') + 6));
      if (body?.type === 'error' && typeof body.error?.type === 'string') return [];
    } catch {
      // reported below
    }
  }
  return [`a stream ending without message_stop or an error event: ${last.slice(0, 120)}`];
}

/**
 * A Responses stream (contract 16): named events whose `sequence_number`s count up from 0, ending
 * with `response.completed`, `response.incomplete` or `response.failed`.
 */
function responsesStreamProblems(text: string): string[] {
  const frames = text.split('\n\n').filter((f) => f.trim().length > 0);
  if (frames.length === 0) return ['an empty stream'];
  let type = '';
  for (const [i, frame] of frames.entries()) {
    const match = /^event: ([a-z_.]+)\ndata: (.*)$/s.exec(frame);
    if (match === null) return [`not a Responses SSE event: ${frame.slice(0, 80)}`];
    let event: any;
    try {
      event = JSON.parse(match[2]);
    } catch {
      return [`an event that is not JSON: ${frame.slice(0, 80)}`];
    }
    if (event?.type !== match[1]) return [`event ${match[1]} carries type ${String(event?.type)}`];
    if (event.sequence_number !== i)
      return [`event ${i} has sequence_number ${event.sequence_number}`];
    type = event.type;
  }
  if (['response.completed', 'response.incomplete', 'response.failed'].includes(type)) return [];
  return [`a stream ending with ${type}, not a terminal event`];
}
