/**
 * A real Bedrock Runtime on loopback, for adapter tests and e2e tests: `node:http`, no mocking
 * of the client, the wire format of wire-formats section 5 (checked against the official
 * `@aws-sdk/client-bedrock-runtime` in `fake-bedrock.server.spec.ts`).
 *
 * - `POST /model/{modelId}/converse`: JSON.
 * - `POST /model/{modelId}/converse-stream`: `application/vnd.amazon.eventstream` frames.
 * - `POST /model/{modelId}/invoke`: Titan text embeddings V2.
 * - Every request must carry a valid SigV4 signature (`.../<region>/bedrock/aws4_request`) by the
 *   fake's access key and secret: 403 with Bedrock's exception names otherwise. Converse bodies
 *   are held to Converse's rules (alternating roles from `user`, tool results matching the
 *   previous turn's tool uses, `toolConfig` for tool blocks, inference ranges): 400
 *   `ValidationException` otherwise. Errors carry their name in `x-amzn-ErrorType`.
 *
 * Every request is recorded; each consumes the next queued plan, if any (`failNext`, `hangNext`,
 * `stallStreamNext`, `streamExceptionNext`, `omitMessageStopNext`); stream-only plans do nothing
 * to a JSON answer. `setReply` and `setStreamFormat` hold until `reset()`.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_MESSAGES, errorHeaders, STATUS_OF } from './fake-bedrock.errors.js';
import { eventFrame, exceptionFrame, FakeFrameWriter } from './fake-bedrock.frames.js';
import {
  converseBody,
  type FakeBedrockReply,
  streamEvents,
  titanBody,
  usageFor,
} from './fake-bedrock.payloads.js';
import { checkConverseRequest, checkTitanRequest } from './fake-bedrock.requests.js';
import { type SigV4Credentials, verifySigV4 } from './fake-bedrock.sigv4.js';

export { DEFAULT_REPLY_TEXT, fakeBedrockEmbedding } from './fake-bedrock.payloads.js';
export type { FakeBedrockReply, FakeBedrockToolUse, FakeUsage } from './fake-bedrock.payloads.js';

export const FAKE_AWS_ACCESS_KEY_ID = 'AKIAFAKEBEDROCK00001';
export const FAKE_AWS_SECRET_ACCESS_KEY = 'fake/secret+access/key0000000000000000000';
export const FAKE_AWS_REGION = 'us-east-1';

export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke';

export interface RecordedBedrockRequest {
  readonly method: string;
  /** The raw path as sent, model id still percent-encoded (`...v1%3A0/converse`). */
  readonly path: string;
  readonly operation: BedrockOperation | undefined;
  /** The model id, decoded. */
  readonly modelId: string | undefined;
  /** Lower-cased names, as Node reports them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
  /** The client's port: equal ports on two requests mean a reused keep-alive connection. */
  readonly remotePort: number | undefined;
}

/** What the next request gets instead of the normal answer. */
export type FakeBedrockPlan =
  /** Answer with this status and Bedrock's error shape: `x-amzn-ErrorType` and `{message}`. */
  | {
      readonly kind: 'fail';
      readonly status: number;
      readonly errorType: string;
      readonly message: string;
      readonly headers?: Record<string, string>;
    }
  /** Never send headers; the request hangs until the client gives up. */
  | { readonly kind: 'hang' }
  /** Stream: send the first `afterEvents` events, then fall silent. */
  | { readonly kind: 'stall'; readonly afterEvents: number }
  /** Stream: after `afterEvents` events send an exception frame and end. */
  | {
      readonly kind: 'exception';
      readonly afterEvents: number;
      readonly exceptionType: string;
      readonly message: string;
    }
  /** Stream: the content, but no `messageStop` or `metadata`; the body just ends. */
  | { readonly kind: 'no-stop' };

export interface FakeBedrockFormat {
  /** Cut every frame inside its prelude, headers and payload, each piece its own packet. */
  readonly splitWrites?: boolean;
}

export interface FakeBedrockOptions {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** When set, requests must carry it as `x-amz-security-token`. */
  readonly sessionToken?: string;
  readonly region?: string;
}

export interface BedrockClientDisconnect {
  readonly path: string;
  /** Stream frames written before the client went away. */
  readonly eventsSent: number;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

export class FakeBedrockServer {
  private readonly creds: SigV4Credentials;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedBedrockRequest[] = [];
  private readonly disconnects: BedrockClientDisconnect[] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: FakeBedrockPlan[] = [];
  private reply: FakeBedrockReply | ((request: RecordedBedrockRequest) => FakeBedrockReply) = {};
  private format: FakeBedrockFormat = {};
  private closing = false;
  private url: string | undefined;

  constructor(options: FakeBedrockOptions = {}) {
    this.creds = {
      accessKeyId: options.accessKeyId ?? FAKE_AWS_ACCESS_KEY_ID,
      secretAccessKey: options.secretAccessKey ?? FAKE_AWS_SECRET_ACCESS_KEY,
      sessionToken: options.sessionToken,
      region: options.region ?? FAKE_AWS_REGION,
      service: 'bedrock',
    };
    this.server = createServer({ noDelay: true }, (req, res) => {
      // A handler failure must not become an unhandled rejection in the test process.
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1, on a free port; the endpoint is what `BEDROCK_ENDPOINT` takes. */
  async start(): Promise<{ endpoint: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake did not bind');
    this.url = `http://127.0.0.1:${address.port}`;
    return { endpoint: this.url };
  }

  get endpoint(): string {
    if (this.url === undefined) throw new Error('FakeBedrockServer is not started');
    return this.url;
  }

  /** Drops every connection, hanging ones included, and stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get requests(): readonly RecordedBedrockRequest[] {
    return this.recorded;
  }

  get lastRequest(): RecordedBedrockRequest | undefined {
    return this.recorded[this.recorded.length - 1];
  }

  /** Requests the client abandoned before the fake had finished answering. */
  get clientDisconnects(): readonly BedrockClientDisconnect[] {
    return this.disconnects;
  }

  waitForClientDisconnects(count = 1): Promise<void> {
    return this.waitUntil(() => this.disconnects.length >= count);
  }

  waitForRequests(count = 1): Promise<void> {
    return this.waitUntil(() => this.received >= count);
  }

  plan(plan: FakeBedrockPlan, times = 1): this {
    for (let i = 0; i < times; i++) this.plans.push(plan);
    return this;
  }

  /** The next request fails with Bedrock's exception `errorType` and its documented status. */
  failNext(
    errorType: string,
    options: { status?: number; message?: string; headers?: Record<string, string> } = {},
  ): this {
    return this.plan({
      kind: 'fail',
      status: options.status ?? STATUS_OF[errorType] ?? 500,
      errorType,
      message: options.message ?? DEFAULT_MESSAGES[errorType] ?? 'Unknown error.',
      headers: options.headers,
    });
  }

  hangNext(): this {
    return this.plan({ kind: 'hang' });
  }

  stallStreamNext(afterEvents = 2): this {
    return this.plan({ kind: 'stall', afterEvents });
  }

  /** The next stream sends `afterEvents` events, then this exception frame (camelCase type). */
  streamExceptionNext(
    afterEvents = 3,
    exceptionType = 'modelStreamErrorException',
    message = 'The model stream failed: upstream model error at token 17.',
  ): this {
    return this.plan({ kind: 'exception', afterEvents, exceptionType, message });
  }

  omitMessageStopNext(): this {
    return this.plan({ kind: 'no-stop' });
  }

  setReply(
    reply: FakeBedrockReply | ((request: RecordedBedrockRequest) => FakeBedrockReply),
  ): this {
    this.reply = reply;
    return this;
  }

  setStreamFormat(format: FakeBedrockFormat): this {
    this.format = { ...format };
    return this;
  }

  /** Forgets requests, disconnects, plans, reply and stream format. */
  reset(): void {
    this.recorded.length = 0;
    this.disconnects.length = 0;
    this.waiters = [];
    this.received = 0;
    this.plans = [];
    this.reply = {};
    this.format = {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const raw = await readBody(req);
    const path = target.split('?')[0];
    const match = PATH.exec(path);
    const request: RecordedBedrockRequest = {
      method: req.method ?? 'GET',
      path,
      operation: match?.[2] as BedrockOperation | undefined,
      modelId: match ? safeDecode(match[1]) : undefined,
      headers: req.headers,
      body: parseBody(raw.toString('utf8')),
      remotePort: req.socket.remotePort,
    };
    this.recorded.push(request);
    this.received++;
    this.notify();
    const plan = this.plans.shift();
    const progress = { eventsSent: 0 };
    res.once('close', () => {
      if (!res.writableEnded && !this.closing) this.noteDisconnect(path, progress.eventsSent);
    });

    if (plan?.kind === 'hang') return;
    const refused = verifySigV4(
      { method: request.method, target, headers: req.headers, body: raw },
      this.creds,
    );
    if (refused) return sendError(res, 403, refused.errorType, refused.message);
    if (plan?.kind === 'fail') {
      return sendError(res, plan.status, plan.errorType, plan.message, plan.headers);
    }
    if (request.method !== 'POST' || match === null || request.modelId === undefined) {
      return sendError(
        res,
        404,
        'UnknownOperationException',
        `No operation at ${request.method} ${path}`,
      );
    }
    if (request.operation === 'invoke') return this.invoke(request, res);
    const checked = checkConverseRequest(request.body);
    if (!checked.ok) return sendError(res, 400, 'ValidationException', checked.refusal.message);
    const reply = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    const usage = usageFor(reply, checked.value.promptText);
    if (request.operation === 'converse') {
      return sendJson(res, 200, converseBody(reply, usage));
    }
    return this.stream(res, streamEvents(reply, usage), plan, progress);
  }

  private async stream(
    res: ServerResponse,
    all: ReturnType<typeof streamEvents>,
    plan: FakeBedrockPlan | undefined,
    progress: { eventsSent: number },
  ): Promise<void> {
    let events = all;
    if (plan?.kind === 'stall' || plan?.kind === 'exception')
      events = all.slice(0, plan.afterEvents);
    if (plan?.kind === 'no-stop')
      events = all.filter((e) => e.type !== 'messageStop' && e.type !== 'metadata');
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': randomUUID(),
    });
    const writer = new FakeFrameWriter(res, this.format.splitWrites === true);
    for (const event of events) {
      if (!(await writer.write(eventFrame(event)))) return;
      progress.eventsSent++;
    }
    if (plan?.kind === 'stall') return;
    if (plan?.kind === 'exception') {
      const payload =
        plan.exceptionType === 'modelStreamErrorException'
          ? { message: plan.message, originalStatusCode: 500, originalMessage: plan.message }
          : { message: plan.message };
      if (!(await writer.write(exceptionFrame(plan.exceptionType, payload)))) return;
    }
    if (!res.destroyed) res.end();
  }

  private invoke(request: RecordedBedrockRequest, res: ServerResponse): void {
    const contentType = request.headers['content-type'];
    const checked = checkTitanRequest(request.modelId ?? '', contentType, request.body);
    if (!checked.ok) return sendError(res, 400, 'ValidationException', checked.refusal.message);
    const body = titanBody(checked.value.inputText, checked.value.dimensions);
    sendJson(res, 200, body, {
      'x-amzn-bedrock-input-token-count': String(body.inputTextTokenCount),
    });
  }

  private noteDisconnect(path: string, eventsSent: number): void {
    this.disconnects.push({ path, eventsSent });
    this.notify();
  }

  private waitUntil(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private notify(): void {
    const met = this.waiters.filter((w) => w.ready());
    this.waiters = this.waiters.filter((w) => !met.includes(w));
    for (const waiter of met) waiter.resolve();
  }
}

/** Bedrock's error answer: the name in `x-amzn-ErrorType`, the text in `{message}`. */
function sendError(
  res: ServerResponse,
  status: number,
  errorType: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { message }, { ...errorHeaders(errorType), ...headers });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
