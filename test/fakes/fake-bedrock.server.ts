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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MESSAGES, errorHeaders, STATUS_OF } from './fake-bedrock.errors.js';
import { eventFrame, exceptionFrame, FakeFrameWriter } from './fake-bedrock.frames.js';
import {
  converseBody,
  type FakeBedrockReply,
  type FakeStreamEvent,
  streamEvents,
  titanBody,
  usageFor,
} from './fake-bedrock.payloads.js';
import { checkConverseRequest, checkTitanRequest } from './fake-bedrock.requests.js';
import { type SigV4Credentials, verifySigV4 } from './fake-bedrock.sigv4.js';
import {
  type FakeExchange,
  type FakeHangPlan,
  type FakeRecordedRequest,
  FakeUpstreamServer,
  parseBody,
  writeFrames,
} from './fake-upstream.server.js';

export { DEFAULT_REPLY_TEXT, fakeBedrockEmbedding } from './fake-bedrock.payloads.js';
export type { FakeBedrockReply, FakeBedrockToolUse, FakeUsage } from './fake-bedrock.payloads.js';

export const FAKE_AWS_ACCESS_KEY_ID = 'AKIAFAKEBEDROCK00001';
export const FAKE_AWS_SECRET_ACCESS_KEY = 'fake/secret+access/key0000000000000000000';
export const FAKE_AWS_REGION = 'us-east-1';

export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke';

export interface RecordedBedrockRequest extends FakeRecordedRequest {
  /** The raw path as sent, model id still percent-encoded (`...v1%3A0/converse`). */
  readonly path: string;
  readonly operation: BedrockOperation | undefined;
  /** The model id, decoded. */
  readonly modelId: string | undefined;
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
  | FakeHangPlan
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

interface BedrockVocabulary {
  readonly request: RecordedBedrockRequest;
  readonly plan: FakeBedrockPlan;
  readonly reply: FakeBedrockReply;
  readonly format: FakeBedrockFormat;
  readonly disconnect: BedrockClientDisconnect;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

export class FakeBedrockServer extends FakeUpstreamServer<BedrockVocabulary> {
  private readonly creds: SigV4Credentials;

  constructor(options: FakeBedrockOptions = {}) {
    super();
    this.creds = {
      accessKeyId: options.accessKeyId ?? FAKE_AWS_ACCESS_KEY_ID,
      secretAccessKey: options.secretAccessKey ?? FAKE_AWS_SECRET_ACCESS_KEY,
      sessionToken: options.sessionToken,
      region: options.region ?? FAKE_AWS_REGION,
      service: 'bedrock',
    };
  }

  /** Listens on 127.0.0.1, on a free port; the endpoint is what `BEDROCK_ENDPOINT` takes. */
  async start(): Promise<{ endpoint: string }> {
    return { endpoint: await this.listen() };
  }

  get endpoint(): string {
    return this.origin;
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

  protected record(req: IncomingMessage, raw: Buffer): RecordedBedrockRequest {
    const path = (req.url ?? '/').split('?')[0];
    const match = PATH.exec(path);
    return {
      method: req.method ?? 'GET',
      path,
      operation: match?.[2] as BedrockOperation | undefined,
      modelId: match ? safeDecode(match[1]) : undefined,
      headers: req.headers,
      body: parseBody(raw),
      remotePort: req.socket.remotePort,
    };
  }

  protected disconnectNote(path: string, eventsSent: number): BedrockClientDisconnect {
    return { path, eventsSent };
  }

  protected answerHeaders(): Record<string, string> {
    return { 'x-amzn-requestid': randomUUID() };
  }

  protected answer(exchange: FakeExchange<BedrockVocabulary>): Promise<void> | void {
    const { req, res, raw, request, plan } = exchange;
    const target = req.url ?? '/';
    const refused = verifySigV4(
      { method: request.method, target, headers: req.headers, body: raw },
      this.creds,
    );
    if (refused) return this.sendError(res, 403, refused.errorType, refused.message);
    if (plan?.kind === 'fail') {
      return this.sendError(res, plan.status, plan.errorType, plan.message, plan.headers);
    }
    const { method, path, operation, modelId } = request;
    if (method !== 'POST' || operation === undefined || modelId === undefined) {
      return this.sendError(
        res,
        404,
        'UnknownOperationException',
        `No operation at ${method} ${path}`,
      );
    }
    if (operation === 'invoke') return this.invoke(request, res);
    const checked = checkConverseRequest(request.body);
    if (!checked.ok) {
      return this.sendError(res, 400, 'ValidationException', checked.refusal.message);
    }
    const reply = this.replyFor(request);
    const usage = usageFor(reply, checked.value.promptText);
    if (operation === 'converse') return this.sendJson(res, 200, converseBody(reply, usage));
    return this.stream(exchange, streamEvents(reply, usage));
  }

  private async stream(
    { res, plan, progress }: FakeExchange<BedrockVocabulary>,
    all: FakeStreamEvent[],
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
    const write = (event: FakeStreamEvent) => writer.write(eventFrame(event));
    if (!(await writeFrames(events, write, progress))) return;
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
    if (!checked.ok) {
      return this.sendError(res, 400, 'ValidationException', checked.refusal.message);
    }
    const body = titanBody(checked.value.inputText, checked.value.dimensions);
    this.sendJson(res, 200, body, {
      'x-amzn-bedrock-input-token-count': String(body.inputTextTokenCount),
    });
  }

  /** Bedrock's error answer: the name in `x-amzn-ErrorType`, the text in `{message}`. */
  private sendError(
    res: ServerResponse,
    status: number,
    errorType: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    this.sendJson(res, status, { message }, { ...errorHeaders(errorType), ...headers });
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
