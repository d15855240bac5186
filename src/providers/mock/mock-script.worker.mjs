// @ts-check
/**
 * The worker thread that evaluates the mock provider's `js:` response scripts (contract 5.1),
 * started by `MockScriptEngine` through a `WorkerPool`. Plain JavaScript with no project import,
 * so the very same file runs from `src/` (tests) and `dist/` (the build copies it).
 *
 * Each message is one evaluation, `{ source, requestJson, timeoutMs }`; the answer is
 * `{ ok: true, text }` or `{ ok: false, message }` with the caller-visible message. The sandbox
 * keeps a script from the host (no `require`, `process`, timers, no code generation) and bounds
 * its CPU time; the thread's heap limit bounds its memory.
 */
import { types } from 'node:util';
import { createContext, Script } from 'node:vm';
import { parentPort } from 'node:worker_threads';

/** Scripts come from configuration, so the set is small; the bound only guards misuse. */
const MAX_CACHED_SCRIPTS = 256;

/** Caller-visible messages quote the script's own error; keep them readable. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * The longest text a script may answer with. A string built by repeated concatenation is a rope
 * that costs the heap almost nothing until it is copied out of the thread, so its length is checked
 * here, before that copy.
 */
const MAX_TEXT_LENGTH = 4 * 1024 * 1024;

const CONTEXT_OPTIONS = {
  codeGeneration: { strings: false, wasm: false },
  // Promise jobs run inside the evaluation, so they count against the time limit too. This thread
  // has no async hook nor AsyncLocalStorage, so a time-out inside a promise job stays an ordinary
  // error here (nodejs/node#38503 aborts the whole process when one is enabled).
  microtaskMode: /** @type {const} */ ('afterEvaluate'),
};

/**
 * The request crosses into the sandbox as a string and is parsed by the sandbox's own `JSON`, so
 * the script only ever sees objects of its own realm: no host prototype to climb out through.
 */
const BOOTSTRAP = new Script(
  'globalThis.request = JSON.parse(__requestJson); delete globalThis.__requestJson;',
  { filename: 'mock-script-bootstrap.js' },
);

/** Reads a thrown value's message inside the sandbox, where a hostile getter meets the time limit. */
const DESCRIBE_ERROR = new Script('String((__error && __error.message) || __error)', {
  filename: 'mock-script-error.js',
});

/**
 * A promise the script returns may be rejected, and a rejection nobody handles would surface as
 * this thread's unhandled rejection. Handled inside the sandbox so a hostile `then` meets the time
 * limit.
 */
const HANDLE_RETURNED_PROMISE = new Script('__result.then(undefined, function () {})', {
  filename: 'mock-script-promise.js',
});

/** @typedef {{ source: string, requestJson: string, timeoutMs: number }} Evaluation */
/** @typedef {{ ok: true, text: string } | { ok: false, message: string }} Answer */
/** @typedef {{ ok: true, value: unknown } | { ok: false, error: unknown }} Outcome */

/** Compiled scripts (or their syntax error) by source text: compiling is the costly part. */
/** @type {Map<string, Script | string>} */
const compiled = new Map();

/**
 * @param {Evaluation} evaluation
 * @returns {Answer}
 */
function evaluate({ source, requestJson, timeoutMs }) {
  const script = compile(source);
  if (typeof script === 'string') {
    return failure(`has a syntax error: ${truncate(script)}`);
  }
  // No prototype: nothing of Object.prototype becomes a global of the sandbox.
  /** @type {Record<string, unknown>} */
  const sandbox = { __proto__: null };
  sandbox.__requestJson = requestJson;
  const context = createContext(sandbox, CONTEXT_OPTIONS);

  const booted = run(BOOTSTRAP, context, timeoutMs);
  const outcome = booted.ok ? run(script, context, timeoutMs) : booted;

  // Past this point only `typeof` and trap-free checks touch what the script produced: any
  // property read outside the sandbox could run a script getter with no time limit.
  if (!outcome.ok) {
    if (isTimeout(outcome.error)) return failure(`exceeded its time limit of ${timeoutMs} ms`);
    sandbox.__error = outcome.error;
    const described = run(DESCRIBE_ERROR, context, timeoutMs);
    const message =
      described.ok && typeof described.value === 'string'
        ? described.value
        : 'the thrown value could not be described';
    return failure(`failed: ${truncate(message)}`);
  }
  const { value } = outcome;
  if (typeof value === 'string') {
    return value.length <= MAX_TEXT_LENGTH
      ? { ok: true, text: value }
      : failure(
          `returned ${value.length} characters, more than the ${MAX_TEXT_LENGTH} a response may have`,
        );
  }
  if (types.isPromise(value)) {
    sandbox.__result = value;
    run(HANDLE_RETURNED_PROMISE, context, timeoutMs);
  }
  return failure(`returned ${describeType(value)}, expected a string`);
}

/**
 * @param {string} source
 * @returns {Script | string} the script, or its syntax error
 */
function compile(source) {
  let entry = compiled.get(source);
  if (entry === undefined) {
    try {
      entry = new Script(source, { filename: 'mock-response.js' });
    } catch (error) {
      // V8's own compile error, not a script-made object: reading it is safe.
      entry = error instanceof Error ? error.message : String(error);
    }
    if (compiled.size < MAX_CACHED_SCRIPTS) compiled.set(source, entry);
  }
  return entry;
}

/**
 * @param {Script} script
 * @param {import('node:vm').Context} context
 * @param {number} timeoutMs
 * @returns {Outcome}
 */
function run(script, context, timeoutMs) {
  try {
    // displayErrors would have Node read the thrown value's `stack` outside the limit.
    /** @type {unknown} */
    const value = script.runInContext(context, { timeout: timeoutMs, displayErrors: false });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Node's timeout error is a host object; a script-thrown look-alike is harmless.
 * @param {unknown} error
 */
function isTimeout(error) {
  if (typeof error !== 'object' || error === null || types.isProxy(error)) return false;
  const code = Object.getOwnPropertyDescriptor(error, 'code');
  return code !== undefined && code.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** @param {unknown} value */
function describeType(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (types.isPromise(value)) return 'a Promise (scripts run synchronously)';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** @param {string} message */
function truncate(message) {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

/**
 * @param {string} what
 * @returns {Answer}
 */
function failure(what) {
  return { ok: false, message: `Mock response script (js) ${what}` };
}

parentPort?.on('message', (/** @type {Evaluation} */ evaluation) => {
  parentPort?.postMessage(evaluate(evaluation));
});
