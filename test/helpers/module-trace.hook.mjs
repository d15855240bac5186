// Records the URL of every module the ESM loader loads, one a line, to the file named by
// MODULE_TRACE_FILE. Started with `node --import <this file>`; end-to-end tests read the file to
// see what a real gateway process loaded. CommonJS modules show up when ESM imports them (a
// package's entry point), not for each require() inside them, which is enough to tell whether a
// package was loaded at all.
import { register } from 'node:module';

const file = process.env.MODULE_TRACE_FILE;
if (file) {
  register('./module-trace.loader.mjs', import.meta.url, { data: { file } });
}
