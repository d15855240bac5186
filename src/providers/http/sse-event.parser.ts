import { UpstreamHttpError } from './upstream-http.error.js';

/** One server-sent event. */
export interface SseEvent {
  /** The `event:` name, when the upstream named it (Anthropic, Cohere); OpenAI never does. */
  readonly event?: string;
  /** Every `data:` line of the event, joined with `\n`. */
  readonly data: string;
  readonly id?: string;
}

const LF = 10;
const CR = 13;

/**
 * The most one event may hold, its unterminated line included (UTF-16 code units, about 16 MiB
 * of ASCII). No vendor sends events near this; an upstream that streams bytes without ever ending
 * an event would otherwise grow the buffer until the process runs out of memory.
 */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * An incremental parser for `text/event-stream` (WHATWG HTML "event stream interpretation"):
 * bytes in, complete events out. TCP may split anything anywhere, mid-line and mid-UTF-8
 * character included, so the decoder streams and an unterminated line waits for the next chunk.
 * Lines end with `\n`, `\r\n` or `\r`; `:` lines are comments (keep-alives) and are skipped.
 * One parser per stream.
 */
export class SseEventParser {
  private readonly decoder = new TextDecoder('utf-8');
  /** The unterminated tail of the last chunk. */
  private partial = '';
  /** The last chunk ended with `\r`: a `\n` opening the next one belongs to the same line end. */
  private skipLineFeed = false;
  private data: string[] = [];
  /** Characters held for the event being read: its `data` lines so far. */
  private held = 0;
  private eventName: string | undefined;
  private lastId: string | undefined;

  /**
   * Feeds a chunk; returns the events it completed, in order (often none or one).
   * @throws UpstreamHttpError `malformed_response` when one event grows past {@link MAX_SSE_EVENT_CHARS}.
   */
  push(chunk: Uint8Array): SseEvent[] {
    const events: SseEvent[] = [];
    this.consume(this.decoder.decode(chunk, { stream: true }), events);
    return events;
  }

  /**
   * Flushes at end of stream. Unlike a browser, which drops an event that is not followed by a
   * blank line, this dispatches it: an upstream that closes right after `data: [DONE]` without the
   * final blank line has still said it finished.
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    this.consume(this.decoder.decode(), events);
    if (this.partial !== '') {
      this.line(this.partial, events);
      this.partial = '';
    }
    this.dispatch(events);
    return events;
  }

  private consume(text: string, events: SseEvent[]): void {
    if (text === '') return;
    let start = 0;
    if (this.skipLineFeed && text.charCodeAt(0) === LF) start = 1;
    this.skipLineFeed = false;
    // Search from `start` only: the buffered tail holds no line end, so it is never rescanned.
    const buffered = this.partial;
    let scan = start;
    for (let i = scan; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      const piece = text.slice(scan, i);
      this.line(scan === start && buffered !== '' ? buffered + piece : piece, events);
      this.partial = '';
      if (code === CR) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.skipLineFeed = true;
        }
      }
      scan = i + 1;
    }
    const rest = text.slice(scan);
    this.partial = scan === start ? buffered + rest : rest;
    if (this.held + this.partial.length > MAX_SSE_EVENT_CHARS) {
      throw new UpstreamHttpError(
        'malformed_response',
        `a streamed event grew past ${MAX_SSE_EVENT_CHARS} characters without ending`,
      );
    }
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.held += value.length;
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields carry nothing a server-to-server client needs.
        break;
    }
  }

  private dispatch(events: SseEvent[]): void {
    if (this.data.length > 0) {
      const data = this.data.length === 1 ? this.data[0] : this.data.join('\n');
      events.push({ data, event: this.eventName, id: this.lastId });
    }
    this.data = [];
    this.held = 0;
    this.eventName = undefined;
  }
}
