// The loader-thread half of module-trace.hook.mjs (module customization hooks run off the main
// thread): appends each loaded URL to the trace file as it is loaded.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
