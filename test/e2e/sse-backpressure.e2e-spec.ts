import { type IncomingMessage, request as httpRequest } from 'node:http';
import { FakeFirehoseServer, firehoseContent } from '../fakes/fake-firehose.server.js';
import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

/** About 64 MiB of SSE: far more than every buffer between the fake and the client together. */
const CHUNKS = 4096;
const CHUNK_CHARS = 16 * 1024;

/** POSTs a streaming chat and resolves at the response headers, leaving the body unread. */
function openStream(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      resolve,
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Say a lot.' }],
      }),
    );
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Resolves once the fake's stream has either ended or stood still, its writer waiting for a
 * drain, over ten looks in a row: the point where nothing moves any more.
 */
async function settled(fake: FakeFirehoseServer): Promise<void> {
  let still = 0;
  let last = -1;
  while (!fake.finished && still < 10) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    still = fake.waitingForDrain && fake.bytesWritten === last ? still + 1 : 0;
    last = fake.bytesWritten;
  }
}

describe('SSE backpressure (a client that reads slowly holds the upstream back)', () => {
  const fake = new FakeFirehoseServer({ chunks: CHUNKS, chunkChars: CHUNK_CHARS });
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: baseUrl },
    });
  });
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it('stops reading the upstream while the client does not read, then delivers it all', async () => {
    const response = await openStream(gw.url);
    expect(response.statusCode).toBe(200);

    await settled(fake);

    // Held back: what left the fake is what the socket buffers on the way hold, not the stream.
    expect(fake.finished).toBe(false);
    expect(fake.bytesWritten).toBeGreaterThan(0);
    expect(fake.bytesWritten).toBeLessThan(fake.totalBytes / 4);

    const frames = (await readAll(response)).split('\n\n').filter((frame) => frame !== '');
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice('data: '.length)));
    const contents = chunks
      .map((chunk) => chunk.choices[0]?.delta?.content as string | undefined)
      .filter((content) => content !== undefined && content !== '');
    expect(contents).toHaveLength(CHUNKS);
    contents.forEach((content, i) => {
      if (content !== firehoseContent(i, CHUNK_CHARS)) throw new Error(`chunk ${i} differs`);
    });
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(fake.finished).toBe(true);
  });
});
