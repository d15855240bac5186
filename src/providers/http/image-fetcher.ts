import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent } from 'undici';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';

/** An image as inline bytes, the form Gemini (`inlineData`) and Bedrock (`bytes`) accept. */
export interface InlineImage {
  readonly mimeType: string;
  /** Base64 of the bytes. */
  readonly data: string;
}

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([a-z0-9+/=\s]+)$/i;

/** Loopback, private, link-local (cloud metadata), CGNAT, multicast and reserved ranges. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/**
 * Base64 as WHATWG's forgiving-base64 decode accepts it (whitespace anywhere, padding optional),
 * re-encoded canonically since vendors want padded base64; `undefined` when it is not base64
 * (`Buffer.from` would silently skip what it cannot read and send vendors garbage).
 */
function decodeBase64(text: string): string | undefined {
  let compact = text.replace(/[\t\n\f\r ]+/g, '');
  if (compact.length % 4 === 0) compact = compact.replace(/={1,2}$/, '');
  if (compact === '' || compact.length % 4 === 1 || !/^[A-Za-z0-9+/]+$/.test(compact)) {
    return undefined;
  }
  return Buffer.from(compact, 'base64').toString('base64');
}

/**
 * Abandons a response body. Destroying an undici body that was not read to its end emits an
 * `error` event (RequestAbortedError); with no listener, that event would crash the process.
 */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }) {
  body.on('error', () => undefined);
  body.destroy();
}

function isPrivate(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const v4Mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4Mapped) return PRIVATE.check(v4Mapped[1], 'ipv4');
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Turns an `image_url` into inline bytes: `data:` URLs are decoded; `https:` URLs are fetched only
 * when `gateway.upstream.image-fetch.enabled`, within a size and time limit, and never from a
 * private address. The address is checked at connect time (after DNS), so a hostname that
 * resolves to an internal address is refused too.
 */
@Injectable()
export class ImageFetcher implements OnApplicationShutdown {
  private readonly settings: GatewayConfig['upstream']['imageFetch'];
  private readonly agent: Agent;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.settings = config.upstream.imageFetch;
    const allowPrivate = this.settings.allowPrivateNetworks;
    this.agent = new Agent({
      connections: 16,
      connect: {
        timeout: this.settings.timeoutMs,
        lookup: (hostname, options, callback) => {
          dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
            if (err) {
              callback(err, '', 0);
              return;
            }
            const usable = allowPrivate
              ? addresses
              : addresses.filter((a) => !isPrivate(a.address));
            if (usable.length === 0) {
              callback(
                Object.assign(new Error('image host resolves only to private addresses'), {
                  code: 'EPRIVATEADDRESS',
                }),
                '',
                0,
              );
              return;
            }
            if (options.all) callback(null, usable, 0);
            else callback(null, usable[0].address, usable[0].family);
          });
        },
      },
    });
  }

  /**
   * @param param The request field, for the error (`messages[0].content[1].image_url`).
   * @throws GatewayError 400 when the URL cannot be used; never echoes what the host answered.
   */
  async inline(url: string, param: string, signal?: AbortSignal): Promise<InlineImage> {
    const data = DATA_URL.exec(url);
    const encoded = data ? decodeBase64(data[2]) : undefined;
    if (data && encoded) return { mimeType: data[1].toLowerCase(), data: encoded };
    if (url.startsWith('data:')) {
      throw this.refuse(param, 'a data: image URL must be base64 with an image/* type');
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw this.refuse(param, 'the image URL is not a valid URL');
    }
    if (
      parsed.protocol !== 'https:' &&
      !(this.settings.allowPrivateNetworks && parsed.protocol === 'http:')
    ) {
      throw this.refuse(param, 'image URLs must be https: or data: URLs');
    }
    if (!this.settings.enabled) {
      throw new GatewayError(
        ErrorCode.UnsupportedCapability,
        'This provider takes images inline only; send a data: URL, or have an operator enable gateway.upstream.image-fetch.',
        { param },
      );
    }
    if (
      !this.settings.allowPrivateNetworks &&
      isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0
    ) {
      if (isPrivate(parsed.hostname.replace(/^\[|\]$/g, ''))) {
        throw this.refuse(param, 'image URLs may not point at private addresses');
      }
    }
    return this.fetch(parsed, param, signal);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  private async fetch(url: URL, param: string, signal?: AbortSignal): Promise<InlineImage> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: 'image/*' },
        signal: combined,
      });
      const type = String(response.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      if (response.statusCode !== 200 || !type.startsWith('image/')) {
        discard(response.body);
        throw this.refuse(
          param,
          `the image URL did not answer with an image (HTTP ${response.statusCode})`,
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).byteLength;
        if (size > this.settings.maxBytes) {
          discard(response.body);
          throw this.refuse(param, `the image is larger than ${this.settings.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return { mimeType: type, data: Buffer.concat(chunks).toString('base64') };
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      const code = (err as { code?: unknown }).code;
      const why =
        code === 'EPRIVATEADDRESS'
          ? 'image URLs may not point at private addresses'
          : timeout.aborted
            ? `the image could not be fetched within ${this.settings.timeoutMs} ms`
            : 'the image could not be fetched';
      throw this.refuse(param, why);
    }
  }

  private refuse(param: string, why: string): GatewayError {
    return new GatewayError(ErrorCode.InvalidRequest, `Cannot use this image: ${why}.`, { param });
  }
}
