import { Injectable } from '@nestjs/common';
import { types } from 'node:util';
import { type Context, createContext, Script } from 'node:vm';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';

const SCRIPT_PREFIX = /^(js|groovy|python):/;

/** Scripts come from configuration, so the set is small; the bound only guards misuse. */
const MAX_CACHED_SCRIPTS = 256;

/** Caller-visible messages quote the script's own error; keep them readable. */
const MAX_MESSAGE_LENGTH = 300;

const CONTEXT_OPTIONS = {
  codeGeneration: { strings: false, wasm: false },
  // Promise jobs run inside the evaluation, so they count against the time limit too. Caveat
  // (nodejs/node#38503): while any async hook or AsyncLocalStorage is enabled (Node 20 builds ALS on
  // async_hooks; Jest enables one), a time-out inside a promise job aborts the whole process.
  microtaskMode: 'afterEvaluate',
} as const;

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
 * A promise the script returns may be rejected, and a rejection nobody handles surfaces as the host
 * process's unhandled rejection, which by default ends the gateway. Handled inside the sandbox so a
 * hostile `then` meets the time limit.
 */
const HANDLE_RETURNED_PROMISE = new Script('__result.then(undefined, function () {})', {
  filename: 'mock-script-promise.js',
});

type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Renders the mock provider's response texts: static text as is, `js:` evaluated per request in a
 * fresh `vm` context, `groovy:`/`python:` refused with an error naming the engine. The sandbox keeps
 * a script from the host (no `require`, `process`, timers, no code generation) and bounds its CPU
 * time. It does not bound memory, nor track promises a script creates without returning them (a
 * rejected one reaches the process's unhandled-rejection handling): acceptable only because scripts
 * come from the operator's configuration, never from callers.
 */
@Injectable()
export class MockScriptEngine {
  /** Compiled scripts (or their syntax error) by source text: compiling is the costly part. */
  private readonly compiled = new Map<string, Script | string>();

  /** @throws GatewayError `provider_error` when the script cannot produce a string. */
  render(template: string, request: ChatCompletionRequest, timeoutMs: number): string {
    const engine = SCRIPT_PREFIX.exec(template)?.[1];
    if (engine === undefined) return template;
    if (engine !== 'js') {
      throw scriptError(
        `Mock response script uses the '${engine}' engine, which is not available in this runtime; use 'js:' instead.`,
      );
    }
    return this.evaluate(template.slice(engine.length + 1), request, timeoutMs);
  }

  private evaluate(source: string, request: ChatCompletionRequest, timeoutMs: number): string {
    const script = this.compile(source);
    const sandbox = Object.create(null) as Record<string, unknown>;
    sandbox.__requestJson = JSON.stringify(request);
    const context = createContext(sandbox, CONTEXT_OPTIONS);

    const booted = run(BOOTSTRAP, context, timeoutMs);
    const outcome = booted.ok ? run(script, context, timeoutMs) : booted;

    // Past this point only `typeof` and trap-free checks touch what the script produced: any
    // property read on the host side could run a script getter with no time limit.
    if (!outcome.ok) {
      if (isTimeout(outcome.error)) {
        throw scriptError(`Mock response script (js) exceeded its time limit of ${timeoutMs} ms`);
      }
      sandbox.__error = outcome.error;
      const described = run(DESCRIBE_ERROR, context, timeoutMs);
      const message =
        described.ok && typeof described.value === 'string'
          ? described.value
          : 'the thrown value could not be described';
      throw scriptError(`Mock response script (js) failed: ${truncate(message)}`);
    }
    const { value } = outcome;
    if (typeof value === 'string') return value;
    if (types.isPromise(value)) {
      sandbox.__result = value;
      run(HANDLE_RETURNED_PROMISE, context, timeoutMs);
    }
    throw scriptError(
      `Mock response script (js) returned ${describeType(value)}, expected a string`,
    );
  }

  private compile(source: string): Script {
    let entry = this.compiled.get(source);
    if (entry === undefined) {
      try {
        entry = new Script(source, { filename: 'mock-response.js' });
      } catch (error) {
        // V8's own compile error, not a script-made object: reading it is safe.
        entry = error instanceof Error ? error.message : String(error);
      }
      if (this.compiled.size < MAX_CACHED_SCRIPTS) this.compiled.set(source, entry);
    }
    if (typeof entry === 'string') {
      throw scriptError(`Mock response script (js) has a syntax error: ${truncate(entry)}`);
    }
    return entry;
  }
}

function run(script: Script, context: Context, timeoutMs: number): Outcome {
  try {
    // displayErrors would have Node read the thrown value's `stack` on the host, outside the limit.
    const value: unknown = script.runInContext(context, {
      timeout: timeoutMs,
      displayErrors: false,
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Node's timeout error is a host object; a script-thrown look-alike is harmless. */
function isTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || types.isProxy(error)) return false;
  const code = Object.getOwnPropertyDescriptor(error, 'code');
  return code !== undefined && code.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (types.isPromise(value)) return 'a Promise (scripts run synchronously)';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

function scriptError(message: string): GatewayError {
  // No `cause`: a script-made object must never reach the logger, which would read its properties.
  return new GatewayError(ErrorCode.ProviderError, message, { provider: 'mock' });
}
