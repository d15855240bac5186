import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { ImageFetcher } from './image-fetcher.js';

type ImageFetchSettings = GatewayConfig['upstream']['imageFetch'];

/** The 8-byte PNG signature: enough for a content check, small enough to read in a test. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PARAM = 'messages[0].content[1].image_url';

/** An image host on loopback: the kind of address the fetcher must refuse unless allowed. */
class ImageHost {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((req, res) => this.answer(req.url ?? '/', res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.port = address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(path: string, res: ServerResponse): void {
    switch (path) {
      case '/pixel.png':
        res.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end(PNG);
        return;
      case '/big.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(Buffer.alloc(600, 1));
        res.end(Buffer.alloc(600, 2));
        return;
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
        return;
      case '/moved.png':
        res.writeHead(302, { location: '/pixel.png' }).end();
        return;
      case '/slow.png':
        // Headers never come: the fetch must give up on its own.
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    }
  }
}

function configWith(settings: Partial<ImageFetchSettings>): GatewayConfig {
  const imageFetch: ImageFetchSettings = {
    enabled: true,
    maxBytes: 1_000,
    timeoutMs: 2_000,
    allowPrivateNetworks: false,
    ...settings,
  };
  return { upstream: { imageFetch } } as unknown as GatewayConfig;
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof GatewayError)) {
    throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  }
  return outcome;
}

describe(ImageFetcher.name, () => {
  const host = new ImageHost();
  const fetchers: ImageFetcher[] = [];

  function fetcher(settings: Partial<ImageFetchSettings> = {}): ImageFetcher {
    const created = new ImageFetcher(configWith(settings));
    fetchers.push(created);
    return created;
  }

  beforeAll(() => host.start());

  afterEach(async () => {
    await Promise.all(fetchers.splice(0).map((f) => f.onApplicationShutdown()));
  });

  afterAll(() => host.close());

  describe('data: URLs', () => {
    it('decodes a base64 image without any network access, even with fetching off', async () => {
      const url = `data:image/PNG;base64,${PNG.toString('base64').slice(0, 4)}\n${PNG.toString('base64').slice(4)}`;
      expect(await fetcher({ enabled: false }).inline(url, PARAM)).toEqual({
        mimeType: 'image/png',
        data: PNG.toString('base64'),
      });
    });

    it('re-encodes unpadded base64 (which browsers accept) canonically', async () => {
      const unpadded = PNG.toString('base64').replace(/=+$/, '');
      expect(unpadded).not.toBe(PNG.toString('base64'));
      const image = await fetcher().inline(`data:image/png;base64,${unpadded}`, PARAM);
      expect(image.data).toBe(PNG.toString('base64'));
    });

    it.each([
      ['not base64', 'data:image/png,rawbytes'],
      ['not an image', `data:text/plain;base64,${Buffer.from('hi').toString('base64')}`],
      ['no type', `data:;base64,${PNG.toString('base64')}`],
      ['characters outside base64', 'data:image/png;base64,iVBO@@Rw0K'],
      ['padding in the middle', 'data:image/png;base64,iV==BORw0KGgo='],
      ['a dangling sixth of a byte', 'data:image/png;base64,iVBORw0KG'],
      ['nothing after the comma', 'data:image/png;base64,  '],
    ])('refuses a data: URL with %s, naming the field', async (_name, url) => {
      const error = await refusal(fetcher().inline(url, PARAM));
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.status).toBe(400);
      expect(error.param).toBe(PARAM);
    });
  });

  describe('URL checks before any connection', () => {
    it('answers unsupported_capability when fetching is off', async () => {
      const error = await refusal(
        fetcher({ enabled: false }).inline('https://images.example.com/cat.png', PARAM),
      );
      expect(error.code).toBe(ErrorCode.UnsupportedCapability);
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/data: URL/);
      expect(error.param).toBe(PARAM);
    });

    it.each([
      ['http:', 'http://images.example.com/cat.png'],
      ['ftp:', 'ftp://images.example.com/cat.png'],
      ['a relative URL', '/cat.png'],
    ])('refuses %s', async (_name, url) => {
      const error = await refusal(fetcher().inline(url, PARAM));
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.param).toBe(PARAM);
    });

    it.each([
      'https://127.0.0.1/pixel.png',
      'https://127.1/pixel.png',
      'https://2130706433/pixel.png',
      'https://10.1.2.3/pixel.png',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/pixel.png',
      'https://[::ffff:127.0.0.1]/pixel.png',
      'https://[::ffff:a9fe:a9fe]/latest/meta-data/',
      'https://[fd00::1]/pixel.png',
    ])('refuses the private address literal %s', async (url) => {
      const error = await refusal(fetcher().inline(url, PARAM));
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.message).toMatch(/private addresses/);
    });
  });

  describe('fetching', () => {
    const url = (path: string, hostname = '127.0.0.1', scheme = 'http') =>
      `${scheme}://${hostname}:${host.port}${path}`;

    it('refuses a hostname that resolves to loopback (checked after DNS)', async () => {
      const error = await refusal(fetcher().inline(url('/pixel.png', 'localhost', 'https'), PARAM));
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.message).toMatch(/private addresses/);
    });

    it.each(['127.0.0.1', 'localhost'])(
      'fetches from %s when private networks are allowed',
      async (hostname) => {
        const image = await fetcher({ allowPrivateNetworks: true }).inline(
          url('/pixel.png', hostname),
          PARAM,
        );
        expect(image).toEqual({ mimeType: 'image/png', data: PNG.toString('base64') });
      },
    );

    it.each([
      ['a non-image content type', '/page.html', /did not answer with an image \(HTTP 200\)/],
      ['a 404', '/missing.png', /HTTP 404/],
      ['a redirect (never followed)', '/moved.png', /HTTP 302/],
      ['an image over max-bytes', '/big.png', /larger than 1000 bytes/],
    ])('refuses %s', async (_name, path, message) => {
      const error = await refusal(fetcher({ allowPrivateNetworks: true }).inline(url(path), PARAM));
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.param).toBe(PARAM);
      expect(error.message).toMatch(message);
    });

    it('gives up on a host that does not answer within timeout-ms', async () => {
      const error = await refusal(
        fetcher({ allowPrivateNetworks: true, timeoutMs: 200 }).inline(url('/slow.png'), PARAM),
      );
      expect(error.code).toBe(ErrorCode.InvalidRequest);
      expect(error.message).toMatch(/within 200 ms/);
    });

    it("stops when the caller's signal fires", async () => {
      const controller = new AbortController();
      const pending = fetcher({ allowPrivateNetworks: true }).inline(
        url('/slow.png'),
        PARAM,
        controller.signal,
      );
      controller.abort();
      const error = await refusal(pending);
      expect(error.message).toMatch(/could not be fetched\.$/);
    });
  });
});
