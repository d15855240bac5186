/**
 * An OpenAI chat-completions upstream that streams a very large answer, for backpressure tests: it
 * writes its SSE frames (OpenAI's wire format, `data: [DONE]` last) as fast as its socket takes
 * them, waiting for `drain` like a well-behaved server, and tells how far it got. A reader that
 * stops pulling therefore shows up here as {@link bytesWritten} standing still while
 * {@link waitingForDrain} holds.
 *
 * Content chunk `i` is {@link firehoseContent}`(i, chunkChars)`, so a reader can check every
 * chunk arrived, in order and intact.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FAKE_OPENAI_API_KEY } from './fake-openai.server.js';

export interface FirehoseOptions {
  /** Content chunks in the stream. */
  readonly chunks: number;
  /** Characters of content per chunk (at least 12). */
  readonly chunkChars: number;
}

/** The content of chunk `index`: its number, then filler, `chars` characters in all. */
export function firehoseContent(index: number, chars: number): string {
  const label = `<${String(index).padStart(10, '0')}>`;
  return (
    label + 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(chars / 26)).slice(label.length, chars)
  );
}

export class FakeFirehoseServer {
  readonly apiKey = FAKE_OPENAI_API_KEY;
  /** Bytes of the current stream its socket accepted so far. */
  bytesWritten = 0;
  /** Bytes the whole stream has (known once it started). */
  totalBytes = 0;
  /** Whether the writer is waiting for its socket to drain. */
  waitingForDrain = false;
  /** Whether the last stream was written to its end. */
  finished = false;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port: number | undefined;

  constructor(private readonly options: FirehoseOptions) {
    this.server = createServer((req, res) => {
      this.answer(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1; resolves to the OpenAI base URL (`http://127.0.0.1:PORT/v1`). */
  async start(): Promise<{ baseUrl: string }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake did not bind');
    this.port = address.port;
    return { baseUrl: `http://127.0.0.1:${this.port}/v1` };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return this.refuse(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
    }
    if (req.url !== '/v1/chat/completions' || body.stream !== true) {
      return this.refuse(res, 400, 'This fake serves streaming chat completions only.', null);
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
    const frames = this.frames(model);
    this.bytesWritten = 0;
    this.totalBytes = 0;
    this.finished = false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    for (const frame of frames) {
      if (res.destroyed) return;
      const bytes = Buffer.from(frame, 'utf8');
      const more = res.write(bytes);
      this.bytesWritten += bytes.length;
      if (!more) {
        this.waitingForDrain = true;
        await drained(res);
        this.waitingForDrain = false;
      }
    }
    this.finished = true;
    res.end();
  }

  /** OpenAI's error envelope. */
  private refuse(res: ServerResponse, status: number, message: string, code: string | null): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } }),
    );
  }

  /** The frames, made one at a time as the writer asks for them; sizes are counted up front. */
  private *frames(model: string): Generator<string> {
    const { chunks, chunkChars } = this.options;
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-firehose',
        object: 'chat.completion.chunk',
        created: 1_721_172_741,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`;
    const first = chunk({ role: 'assistant', content: '' }, null);
    const last = chunk({}, 'stop');
    const done = 'data: [DONE]\n\n';
    const content = Buffer.byteLength(chunk({ content: firehoseContent(0, chunkChars) }, null));
    this.totalBytes = Buffer.byteLength(first + last + done) + chunks * content;
    yield first;
    for (let i = 0; i < chunks; i++) yield chunk({ content: firehoseContent(i, chunkChars) }, null);
    yield last;
    yield done;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
