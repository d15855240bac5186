import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { WorkerPool } from '../../common/workers/worker-pool.js';
import { WorkerPoolError } from '../../common/workers/worker-pool.error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';

const SCRIPT_PREFIX = /^(js|groovy|python):/;

/** Beside this file in `src/` and in `dist/` alike: plain JavaScript, copied by the build. */
const WORKER_MODULE = new URL('./mock-script.worker.mjs', import.meta.url);

/**
 * How long the host waits for a worker before terminating it. Inside the worker every step of an
 * evaluation (bootstrap, script, reading a thrown message) has the script's own time limit, which
 * V8 enforces; this deadline only catches a thread stuck where that limit cannot reach.
 */
const deadlineFor = (timeoutMs: number) => 3 * timeoutMs + 1000;

export type MockSandboxSettings = GatewayConfig['providers']['mock']['sandbox'];

/**
 * Renders the mock provider's response texts: static text as is, `js:` evaluated per request in a
 * fresh `vm` context on a worker thread (`mock-script.worker.mjs`), `groovy:`/`python:` refused
 * with an error naming the engine. A script can neither block the event loop nor, by looping or
 * allocating, harm other calls: its thread has a time limit and a heap limit and is replaced when
 * it has to be stopped. Scripts come from the operator's configuration, never from callers.
 */
@Injectable()
export class MockScriptEngine implements OnApplicationShutdown {
  private readonly pool: WorkerPool;

  constructor(private readonly sandbox: MockSandboxSettings) {
    this.pool = new WorkerPool(WORKER_MODULE, sandbox);
  }

  /**
   * @param signal withdraws the evaluation while it waits for a free worker (caller gone).
   * @throws GatewayError `provider_error` when the script cannot produce a string.
   */
  async render(
    template: string,
    request: ChatCompletionRequest,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<string> {
    const engine = SCRIPT_PREFIX.exec(template)?.[1];
    if (engine === undefined) return template;
    if (engine !== 'js') {
      throw scriptError(
        `Mock response script uses the '${engine}' engine, which is not available in this runtime; use 'js:' instead.`,
      );
    }
    const evaluation = {
      source: template.slice(engine.length + 1),
      requestJson: JSON.stringify(request),
      timeoutMs,
    };
    let answer: unknown;
    try {
      answer = await this.pool.run(evaluation, deadlineFor(timeoutMs), signal);
    } catch (error) {
      throw error instanceof WorkerPoolError ? this.poolError(error, timeoutMs) : error;
    }
    if (isAnswer(answer)) {
      if (answer.ok) return answer.text;
      throw scriptError(answer.message);
    }
    throw scriptError('Mock response script (js) got no answer from its worker');
  }

  /** After the HTTP server has drained: scripts of calls still in flight could finish. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private poolError(error: WorkerPoolError, timeoutMs: number): GatewayError {
    switch (error.reason) {
      case 'timeout':
        return scriptError(`Mock response script (js) exceeded its time limit of ${timeoutMs} ms`);
      case 'out-of-memory':
        return scriptError(
          `Mock response script (js) exceeded its memory limit of ${this.sandbox.maxHeapMb} MB`,
        );
      case 'crashed':
        return scriptError('Mock response script (js) stopped its worker unexpectedly');
      case 'busy':
        return scriptError(
          `Mock response scripts are all busy (${this.sandbox.workers} running, ${this.sandbox.maxQueued} waiting); try again shortly`,
          { retryable: true, retryAfterSeconds: 1 },
        );
      case 'cancelled':
        return scriptError('Mock provider call was cancelled.');
      case 'closed':
        return scriptError('Mock response script (js) not run: the gateway is shutting down', {
          retryable: true,
        });
    }
  }
}

type Answer =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

function isAnswer(value: unknown): value is Answer {
  if (typeof value !== 'object' || value === null) return false;
  const answer = value as Record<string, unknown>;
  if (answer.ok === true) return typeof answer.text === 'string';
  return answer.ok === false && typeof answer.message === 'string';
}

function scriptError(
  message: string,
  options: { retryable?: boolean; retryAfterSeconds?: number } = {},
): GatewayError {
  // No `cause`: nothing a script made may reach the logger.
  return new GatewayError(ErrorCode.ProviderError, message, { provider: 'mock', ...options });
}
