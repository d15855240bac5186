import type { Dispatcher } from 'undici';
import type { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import { UpstreamHttpError } from './upstream-http.error.js';
import { asError } from '../../common/errors/as-error.js';

/** Response headers as undici reports them: lower-cased names. */
export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** A whole answer, as text: a success body within its cap, an error body cut at its own. */
export interface AnswerText {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly text: string;
}

export interface AnswerCaps {
  /** A 2xx body past this many bytes is refused: the answer counts as malformed. */
  readonly successBytes: number;
  /** Any other body is cut here (its start says what went wrong); the rest is never read. */
  readonly errorBytes: number;
}

/** The abort that ends a cut error body early: the answer is complete as far as we read it. */
const CUT = new Error('error body cut at its cap');

/**
 * Reads one answer whole through undici's dispatch API: the chunks collected as they arrive and
 * decoded once at the end. undici's `request()` wraps every answer in a `Readable` stream and an
 * `AsyncResource` and listens to the call's signal itself, about 7 µs of CPU a call more
 * (bench/README.md, history); a JSON answer needs none of that. Cancellation is the call's
 * {@link CallCancellation}: its abort (the caller went away, a deadline passed) aborts the
 * request with the cancellation's reason, which is what the returned promise rejects with, as
 * `request()` rethrows its signal's reason. Past a cap undici drops the socket, so the rest is
 * never read: an upstream that sends gigabytes cannot exhaust the gateway's memory.
 */
export function readAnswer(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  cancellation: CallCancellation,
  caps: AnswerCaps,
): Promise<AnswerText> {
  if (cancellation.aborted) return Promise.reject(asError(cancellation.reason));
  return new Promise((resolve, reject) => {
    const handler = new AnswerHandler(cancellation, caps, resolve, reject);
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      handler.fail(asError(error));
    }
  });
}

class AnswerHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: UpstreamHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** A 2xx answer: past its cap it is refused, where another is cut. */
  private success = false;
  private cap = 0;
  private settled = false;

  constructor(
    private readonly cancellation: CallCancellation,
    private readonly caps: AnswerCaps,
    private readonly resolve: (answer: AnswerText) => void,
    private readonly reject: (error: Error) => void,
  ) {
    cancellation.once('abort', this.onCancel);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Cancelled while it waited for a connection: it is already answered, and is not sent.
    if (this.cancellation.aborted) controller.abort(asError(this.cancellation.reason));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: UpstreamHeaders,
  ): void {
    if (status < 200) return; // 1xx: informational, the answer follows.
    this.status = status;
    this.headers = headers;
    this.success = status < 300;
    this.cap = this.success ? this.caps.successBytes : this.caps.errorBytes;
    if (this.success && declaredLength(headers) > this.cap) controller.abort(this.tooLarge());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled || controller.aborted) return;
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    if (this.success) {
      if (this.size > this.cap) controller.abort(this.tooLarge());
    } else if (this.size >= this.cap) {
      controller.abort(CUT);
    }
  }

  onResponseEnd(): void {
    this.complete();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (error === CUT) this.complete();
    else this.fail(error);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settle();
    this.reject(error);
  }

  private complete(): void {
    if (this.settled) return;
    this.settle();
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    // Only a cut error body holds more than its cap (a 2xx one past it was refused).
    const text = (this.size > this.cap ? body.subarray(0, this.cap) : body).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  private settle(): void {
    this.settled = true;
    this.cancellation.removeListener('abort', this.onCancel);
  }

  private tooLarge(): UpstreamHttpError {
    return new UpstreamHttpError(
      'malformed_response',
      `answer body larger than gateway.upstream.max-response-bytes (${this.cap})`,
    );
  }

  private readonly onCancel = (): void => {
    const reason = asError(this.cancellation.reason);
    // Started: the abort reaches onResponseError with this reason. Still queued for a
    // connection (undici calls onRequestStart only then): the call fails now rather than when a
    // connection frees up, and onRequestStart aborts it.
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.fail(reason);
  };
}

/** The body's `content-length`, when it is one well-formed number; -1 otherwise. */
export function declaredLength(headers: UpstreamHeaders): number {
  const value = headers['content-length'];
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return -1;
  return Number(value);
}
