// How bench/profile-summary.mjs and bench/alloc-profile.mjs name a profile's frames: the package
// each belongs to (an npm package, a folder of our src/, a Node core module, a V8 pseudo-frame),
// the group of that package, and a short location (dist/ frames as their src/*.ts line through
// the build's source maps).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// ---- classification ----

/** Which package each frame belongs to, and which group each package to. */
export const GROUPS = [
  ['framework: NestJS', /^(@nestjs\/|rxjs$|reflect-metadata$|tslib$|iterare$|path-to-regexp$)/],
  [
    'framework: Fastify',
    /^(fastify$|@fastify\/|find-my-way$|avvio$|light-my-request$|fast-json-stringify$|secure-json-parse$|fast-querystring$|fast-decode-uri-component$|fast-uri$|process-warning$|abstract-logging$|toad-cache$|rfdc$|ret$|safe-regex2$|content-type$|forwarded$|proxy-addr$|ipaddr\.js$|fast-content-type-parse$|json-schema-ref-resolver$|ajv$|@sinclair\/)/,
  ],
  [
    'logging',
    /^(pino|pino-std-serializers|sonic-boom|thread-stream|on-exit-leak-free|quick-format-unescaped|atomic-sleep|safe-stable-stringify|fast-redact)$/,
  ],
  ['validation', /^(class-validator|class-transformer|validator|libphonenumber-js|zod)$/],
  ['upstream client: undici', /^undici$/],
  ['storage', /^(better-sqlite3|kysely|pg|pg-.*|ioredis|bindings)$/],
  ['our code: src/', /^src\//],
  ['bench', /^bench$/],
  ['socket writes (kernel)', /^\(socket writes\)$/],
  ['node core', /^node:/],
  ['V8: gc', /^\(gc\)$/],
  ['native code (C++ bindings, syscalls)', /^\(native\)$/],
  ['V8 / runtime', /^\(/],
];

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Package of a frame: an npm package, src/<folder>, node:<module>, or a V8 pseudo-frame. */
export function packageOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (/^\((garbage collector|program|idle|root)\)$/.test(functionName)) {
      return functionName === '(garbage collector)' ? '(gc)' : functionName;
    }
    return '(native)';
  }
  // The only WebAssembly in these processes is undici's llhttp, its HTTP response parser.
  if (url.startsWith('wasm://')) return 'undici';
  if (url.startsWith('node:')) {
    const path = url.slice(5).replace(/^internal\//, '');
    const first = path.split(/[/.]/)[0].replace(/^_/, '');
    return `node:${first.replace(/^(http|https)_.*$/, '$1')}`;
  }
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const parts = file.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const rel = file.startsWith(PROJECT_ROOT) ? file.slice(PROJECT_ROOT.length) : file;
  const m = /^(?:dist|src)\/([^/]+)(?:\/([^/]+))?\//.exec(rel);
  if (m) return `src/${m[1]}`;
  if (/^(?:dist|src)\/[^/]+$/.test(rel)) return 'src/(root)';
  if (rel.startsWith('bench/')) return 'bench';
  return rel;
}

export function groupOf(pkg) {
  for (const [name, re] of GROUPS) if (re.test(pkg)) return name;
  return `other: ${pkg}`;
}

/** Native functions that are one socket write system call (stream_base's writes). */
const SOCKET_WRITES = /^(writev|writeBuffer|write(Utf8|Latin1|Ascii|Ucs2)String)$/;
export const isSocketWrite = (frame) => !frame.url && SOCKET_WRITES.test(frame.functionName);

/** Node core and native frames have no owner of their own: their caller owns their time. */
export const ownerless = (pkg) => pkg.startsWith('node:') || pkg === '(native)';

// ---- source maps for dist/ ----

const sourceMaps = new Map();

function sourceMapFor(file) {
  if (sourceMaps.has(file)) return sourceMaps.get(file);
  let map = null;
  try {
    const mapFile = `${file}.map`;
    if (existsSync(mapFile)) map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  } catch {
    map = null;
  }
  sourceMaps.set(file, map);
  return map;
}

/** A short location: package-relative path and line (src/*.ts for our code). */
export function locationOf(frame) {
  const { url, lineNumber, columnNumber } = frame;
  if (!url) return '';
  if (url.startsWith('node:')) return `${url}:${lineNumber + 1}`;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm !== -1) return `${file.slice(nm + '/node_modules/'.length)}:${lineNumber + 1}`;
  const rel = file.startsWith(PROJECT_ROOT) ? file.slice(PROJECT_ROOT.length) : file;
  if (rel.startsWith('dist/')) {
    const map = sourceMapFor(file);
    const entry = map?.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource) {
      const src = entry.originalSource.replace(/^.*?\bsrc\//, 'src/').replace(/^file:\/\//, '');
      return `${src}:${entry.originalLine + 1}`;
    }
    return `${rel.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')} (js:${lineNumber + 1})`;
  }
  return `${rel}:${lineNumber + 1}`;
}
