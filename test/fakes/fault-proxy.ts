/**
 * A fault-injecting HTTP proxy on loopback, put between the gateway and any vendor's fake: it
 * forwards each request to the fake (so the answer is that vendor's real wire format) and breaks
 * the answer on the way back as the next queued fault says. One proxy serves every wire format
 * (OpenAI-compatible, Anthropic, Gemini, Bedrock's JSON and event stream), since the faults are
 * about transport, not content.
 *
 * It also counts the gateway's sockets, so a test can check that no connection is left open after
 * a broken call (a leaked socket is a leaked request the gateway never gave up on).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Forward the answer untouched. */
  | 'pass'
  /** Drop the connection as soon as the request arrived: no status line. */
  | 'reset-before-headers'
  /** Send the upstream's status and headers, then drop the connection. */
  | 'reset-after-headers'
  /** Send the headers and the first chunk of the body (one event of a stream), then drop the connection. */
  | 'reset-mid-body'
  /** Never answer: no byte, the connection held open. */
  | 'hang'
  /** Send the headers and the first chunk of the body, then nothing more, the connection open. */
  | 'stall-after-first-chunk'
  /** Send the answer one byte at a time, `trickleMs` apart. */
  | 'trickle'
  /** The upstream's status and content type, the body garbled: not JSON, not SSE, not an event stream. */
  | 'malformed-body'
  /** 200 with an HTML error page, as a misconfigured load balancer answers. */
  | 'wrong-content-type'
  /** 503 with a plain-text body, as an overloaded proxy in front of the vendor answers. */
  | 'status-503'
  /** 200, the upstream's content type, a declared 10 GB body of bytes that never form a message. */
  | 'huge-body';

export const TEN_GB = 10 * 1024 ** 3;
const GARBLED =
  '{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","cont\u0000\n';

export class FaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly busy = new Set<Socket>();
  private faults: Fault[] = [];
  private port: number | undefined;
  /** Every fault the proxy carried out, in order (`pass` included). */
  readonly applied: Fault[] = [];
  /** Bytes written by `huge-body` answers before the gateway gave up on them. */
  hugeBytesSent = 0;

  constructor(
    private readonly target: () => string,
    private readonly trickleMs = 1_000,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.busy.delete(socket);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `http://127.0.0.1:PORT` followed by `path` (the vendor's base path, e.g. `/v1`). */
  url(path = ''): string {
    if (this.port === undefined) throw new Error('FaultProxy not started');
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Queues `fault` for the next `times` requests (after those already queued). */
  next(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  reset(): void {
    this.faults = [];
    this.applied.length = 0;
    this.hugeBytesSent = 0;
  }

  /** Connections from the gateway that are open now, idle keep-alive ones included. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Connections carrying a request whose answer has not finished. */
  get busySockets(): number {
    return this.busy.size;
  }

  /** Resolves once no connection carries an unfinished request; rejects after `ms`. */
  async settled(ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.busy.size > 0) {
      if (Date.now() > deadline) {
        throw new Error(`${this.busy.size} connection(s) still carry an unfinished request`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.busy.add(socket);
    res.once('finish', () => this.busy.delete(socket));
    const fault = this.faults.shift() ?? 'pass';
    this.applied.push(fault);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (fault === 'reset-before-headers') {
        socket.destroy();
      } else if (fault === 'wrong-content-type') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      } else if (fault === 'status-503') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('upstream connect error or disconnect/reset before headers');
      } else if (fault !== 'hang') {
        this.forward(req, body, res, fault);
      }
    });
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, fault: Fault): void {
    const target = new URL(this.target());
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // Host unchanged: a SigV4 signature covers it, and the fakes do not check it.
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      (answer) => this.relay(answer, res, fault),
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }

  private relay(answer: IncomingMessage, res: ServerResponse, fault: Fault): void {
    const headers = { ...answer.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    if (fault === 'reset-after-headers') {
      answer.resume();
      res.writeHead(answer.statusCode ?? 200, headers);
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (fault === 'malformed-body') {
      answer.resume();
      res.writeHead(answer.statusCode ?? 200, headers);
      const sse = headers['content-type']?.includes('event-stream') === true;
      res.end(sse ? `data: ${GARBLED}\n\n` : GARBLED);
      return;
    }
    if (fault === 'huge-body') {
      answer.resume();
      this.sendHuge(res, headers);
      return;
    }
    if (fault === 'trickle') {
      void this.trickle(answer, res, headers);
      return;
    }
    res.writeHead(answer.statusCode ?? 200, headers);
    if (fault === 'pass') {
      answer.pipe(res);
      return;
    }
    // reset-mid-body and stall-after-first-chunk: the first chunk goes through, then the fault.
    answer.once('data', (first: Buffer) => {
      answer.destroy();
      // Whole: the fakes write one event (or frame) per chunk, so the client got one complete.
      res.write(first);
      if (fault === 'reset-mid-body') setTimeout(() => res.socket?.destroy(), 20);
    });
  }

  private async trickle(
    answer: IncomingMessage,
    res: ServerResponse,
    headers: IncomingMessage['headers'],
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(chunk as Buffer);
    const whole = Buffer.concat(chunks);
    res.writeHead(answer.statusCode ?? 200, headers);
    for (let i = 0; i < whole.length; i++) {
      if (res.destroyed || res.socket === null) return;
      res.write(whole.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, this.trickleMs));
    }
    res.end();
  }

  /** Writes filler as fast as the gateway reads it, until it hangs up or 10 GB were sent. */
  private sendHuge(res: ServerResponse, headers: IncomingMessage['headers']): void {
    res.writeHead(200, { ...headers, 'content-length': String(TEN_GB) });
    const filler = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!res.destroyed && this.hugeBytesSent < TEN_GB) {
        this.hugeBytesSent += filler.length;
        if (!res.write(filler)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  }
}
