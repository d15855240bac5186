// Records the URL of every module the ESM loader loads, one a line, to the file named by
// MODULE_TRACE_FILE. Started with `node --import <this file>`; end-to-end tests read the file to
// see what a real gateway process loaded. CommonJS modules show up when ESM imports them (a
// package's entry point), and when require() loads them (a createRequire() of the gateway's,
// or require() inside a package), recorded here on the thread that requires them.
import { appendFileSync } from 'node:fs';
import Module, { builtinModules, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.MODULE_TRACE_FILE;
if (file) {
  register('./module-trace.loader.mjs', import.meta.url, { data: { file } });
  const builtins = new Set(builtinModules);
  const seen = new Set();
  const load = Module._load;
  Module._load = function traced(request, parent, isMain) {
    const loaded = load.apply(this, arguments);
    if (!request.startsWith('node:') && !builtins.has(request)) {
      try {
        const url = pathToFileURL(Module._resolveFilename(request, parent, isMain)).href;
        if (!seen.has(url)) {
          seen.add(url);
          appendFileSync(file, `${url}\n`);
        }
      } catch {
        // Not resolvable as a file (already failed or virtual): nothing to record.
      }
    }
    return loaded;
  };
}
