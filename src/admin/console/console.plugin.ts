import send from '@fastify/send';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASSET_CACHE_CONTROL,
  CONSOLE_SECURITY_HEADERS,
  PAGE_CACHE_CONTROL,
} from './console.headers.js';

/** Where the console is served. */
export const CONSOLE_PATH = '/console';

/**
 * `vite build` writes the console to `dist/console/`, after `nest build` (which empties `dist/`).
 * This file sits two folders below the package root's `src/` (tests) or `dist/` (a build), so one
 * relative path serves both.
 */
export const DEFAULT_CONSOLE_ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'dist',
  'console',
);

export interface ConsolePluginOptions {
  /** The built console: `index.html` and `assets/`. */
  readonly root: string;
}

/** Whether a console build is present at `root`. */
export function consoleBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html')) && existsSync(join(root, 'assets'));
}

/**
 * The web console (contract 17) as an encapsulated Fastify plugin: its hooks and headers apply to
 * `/console` routes only, so `/v1`, health and metrics routing are untouched. Hashed assets come
 * from `assets/` (sent by @fastify/send, which also serves @fastify/static: path safety, ETags,
 * ranges) with a year-long cache; every other path under `/console/` is a client route and
 * gets `index.html` (read once: it is a few hundred bytes), re-checked on every load.
 */
export function consolePlugin(
  fastify: FastifyInstance,
  options: ConsolePluginOptions,
  done: (error?: Error) => void,
): void {
  const page = readFileSync(join(options.root, 'index.html'));
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS))
      void reply.header(name, value);
    done(null, payload);
  });
  const assets = join(options.root, 'assets');
  const assetsPrefix = `${CONSOLE_PATH}/assets`;
  fastify.get(`${assetsPrefix}/*`, async (request, reply) => {
    // The raw, still-encoded path: send decodes it once and refuses `..` and dotfiles.
    const raw = request.raw.url ?? '';
    const end = raw.indexOf('?');
    const path = (end === -1 ? raw : raw.slice(0, end)).slice(assetsPrefix.length);
    const result = await send(request.raw, path, {
      root: assets,
      index: false,
      dotfiles: 'deny',
      etag: true,
      lastModified: false,
      cacheControl: false,
    });
    // A traversal or a dotfile is answered like a missing file: nothing to learn from it.
    if (result.type !== 'file') return reply.callNotFound();
    return reply
      .code(result.statusCode)
      .headers(result.headers)
      .header('cache-control', ASSET_CACHE_CONTROL)
      .send(result.stream);
  });
  const sendPage = (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', PAGE_CACHE_CONTROL).send(page);
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 308));
  fastify.get(`${CONSOLE_PATH}/`, sendPage);
  fastify.get(`${CONSOLE_PATH}/*`, sendPage);
  done();
}
