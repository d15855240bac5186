import { jest } from '@jest/globals';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { MockScriptEngine, type MockSandboxSettings } from './mock-script.engine.js';

const request: ChatCompletionRequest = {
  model: 'mock/js',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'ping' },
  ],
  temperature: 0.2,
};

const TIME_LIMIT_MS = 250;
const SANDBOX: MockSandboxSettings = { workers: 2, maxHeapMb: 32, maxQueued: 10 };

const engines: MockScriptEngine[] = [];
function newEngine(sandbox: Partial<MockSandboxSettings> = {}): MockScriptEngine {
  const engine = new MockScriptEngine({ ...SANDBOX, ...sandbox });
  engines.push(engine);
  return engine;
}

let shared: MockScriptEngine;

function render(template: string, req: ChatCompletionRequest = request): Promise<string> {
  return shared.render(template, req, TIME_LIMIT_MS);
}

async function failure(
  template: string,
  engine = shared,
  timeoutMs = TIME_LIMIT_MS,
): Promise<GatewayError> {
  try {
    await engine.render(template, request, timeoutMs);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected ${template} to fail`);
}

beforeAll(() => {
  shared = newEngine();
});

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.onApplicationShutdown()));
});

describe(MockScriptEngine.name, () => {
  it('returns static text unchanged, including text that merely mentions an engine', async () => {
    expect(await render('This is a mock response')).toBe('This is a mock response');
    expect(await render('Say js: later')).toBe('Say js: later');
  });

  it('evaluates a js: expression with the whole request bound', async () => {
    expect(await render("js: 'Hello from ' + request.model + ' at ' + request.temperature")).toBe(
      'Hello from mock/js at 0.2',
    );
    expect(await render('js: request.messages.map((m) => m.role).join(",")')).toBe('system,user');
  });

  it('uses the completion value of a short program', async () => {
    expect(
      await render(
        "js: const last = request.messages[request.messages.length - 1]; 'You said: ' + last.content",
      ),
    ).toBe('You said: ping');
  });

  it('gives the script a copy: changing it does not change the caller request', async () => {
    const req = structuredClone(request);

    await render("js: request.messages.length = 0; request.model = 'changed'; 'ok'", req);

    expect(req).toEqual(request);
  });

  it('starts every evaluation in a fresh context, on the same worker too', async () => {
    const engine = newEngine({ workers: 1 });
    const counter = 'js: globalThis.n = (globalThis.n || 0) + 1; String(globalThis.n)';

    expect(await engine.render(counter, request, TIME_LIMIT_MS)).toBe('1');
    expect(await engine.render(counter, request, TIME_LIMIT_MS)).toBe('1');
  });

  it.each(['groovy', 'python'])(
    'refuses a %s: script with a 502 naming the engine',
    async (engine) => {
      const error = await failure(`${engine}: 'Hello from ' + request.model`);

      expect(error.status).toBe(502);
      expect(error.code).toBe('provider_error');
      expect(error.message).toBe(
        `Mock response script uses the '${engine}' engine, which is not available in this runtime; use 'js:' instead.`,
      );
    },
  );

  it("reports the script's own error message", async () => {
    expect((await failure("js: throw new Error('boom')")).message).toBe(
      'Mock response script (js) failed: boom',
    );
    expect((await failure("js: throw 'plain string'")).message).toBe(
      'Mock response script (js) failed: plain string',
    );
    expect((await failure('js: request.missing.field')).message).toMatch(
      /^Mock response script \(js\) failed: .*undefined/,
    );
  });

  it('stops a script that runs past its time limit, and the worker keeps serving', async () => {
    const engine = newEngine({ workers: 1 });

    expect((await failure('js: while (true) {}', engine)).message).toBe(
      `Mock response script (js) exceeded its time limit of ${TIME_LIMIT_MS} ms`,
    );
    expect(
      (await failure('js: Promise.resolve().then(() => { while (true) {} }); "x"', engine)).message,
    ).toBe(`Mock response script (js) exceeded its time limit of ${TIME_LIMIT_MS} ms`);
    expect(await engine.render("js: 'still here'", request, TIME_LIMIT_MS)).toBe('still here');
  });

  it('stops a script that allocates past the heap limit, and replaces its worker', async () => {
    const engine = newEngine({ workers: 1, maxHeapMb: 16 });
    const hog = 'js: const hoard = []; for (;;) hoard.push(new Array(100000).fill(1.5)); "never"';

    expect((await failure(hog, engine, 10_000)).message).toBe(
      'Mock response script (js) exceeded its memory limit of 16 MB',
    );
    expect(await engine.render("js: 'next worker'", request, TIME_LIMIT_MS)).toBe('next worker');
  });

  it('refuses a script at once, retryable, when every worker is busy and none may wait', async () => {
    const engine = newEngine({ workers: 1, maxQueued: 0 });
    const looping = failure('js: while (true) {}', engine);

    const refused = await failure("js: 'too many'", engine);

    expect(refused.status).toBe(502);
    expect(refused.retryable).toBe(true);
    expect(refused.message).toBe(
      'Mock response scripts are all busy (1 running, 0 waiting); try again shortly',
    );
    expect((await looping).message).toMatch(/time limit/);
  });

  it('refuses an answer too long to copy out of the worker', async () => {
    expect((await failure("js: 'x'.repeat(2 ** 28)")).message).toBe(
      'Mock response script (js) returned 268435456 characters, more than the 4194304 a response may have',
    );
  });

  it.each([
    ['js: 42', 'a number'],
    ['js: null', 'null'],
    ['js: undefined', 'undefined'],
    ['js: ({ text: "hi" })', 'an object'],
    ['js: Promise.resolve("late")', 'a Promise'],
  ])('refuses a non-string result (%s)', async (template, described) => {
    expect((await failure(template)).message).toMatch(
      new RegExp(`^Mock response script \\(js\\) returned ${described}.*, expected a string$`),
    );
  });

  it('reports a syntax error, and again on the next request', async () => {
    const engine = newEngine({ workers: 1 });

    expect((await failure("js: 'unterminated", engine)).message).toMatch(
      /^Mock response script \(js\) has a syntax error: /,
    );
    expect((await failure("js: 'unterminated", engine)).message).toMatch(/syntax error/);
  });

  describe('sandbox', () => {
    it.each([
      ["this.constructor.constructor('return process')()", 'Code generation'],
      ["this.constructor.constructor('return process')().env.HOME", 'Code generation'],
      ["request.constructor.constructor('return process')()", 'Code generation'],
      ["require('fs').readFileSync('/etc/passwd', 'utf8')", 'require is not defined'],
      ['process.env.HOME', 'process is not defined'],
      ["eval('1 + 1')", 'Code generation'],
      ['setTimeout(() => {}, 0)', 'setTimeout is not defined'],
    ])('keeps the host out of reach: %s', async (source, why) => {
      const error = await failure(`js: ${source}`);

      expect(error.message).toMatch(/^Mock response script \(js\) failed: /);
      expect(error.message).toContain(why);
    });

    it('exposes no host globals', async () => {
      expect(
        await render(
          'js: [typeof require, typeof process, typeof setTimeout, typeof setInterval, ' +
            'typeof Buffer, typeof fetch, typeof module, typeof __requestJson].join()',
        ),
      ).toBe('undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined');
    });

    it('does not run script getters outside the time limit', async () => {
      expect((await failure('js: throw { get message() { while (true) {} } }')).message).toBe(
        'Mock response script (js) failed: the thrown value could not be described',
      );
      expect(
        (
          await failure(
            'js: new Proxy({}, { get() { while (true) {} }, getPrototypeOf() { while (true) {} } })',
          )
        ).message,
      ).toMatch(/returned an object/);
      expect(
        (
          await failure(
            'js: throw new Proxy({}, { get() { while (true) {} }, getOwnPropertyDescriptor() { while (true) {} } })',
          )
        ).message,
      ).toMatch(/failed: the thrown value could not be described/);
    });

    it('handles a returned promise, so its rejection cannot crash the process', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        for (const source of [
          "Promise.reject(new Error('late'))",
          "(async () => { throw new Error('async') })()",
          "import('node:fs')",
        ]) {
          expect((await failure(`js: ${source}`)).message).toBe(
            'Mock response script (js) returned a Promise (scripts run synchronously), expected a string',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        process.off('unhandledRejection', unhandled);
      }

      expect(unhandled).not.toHaveBeenCalled();
      // The worker kept running: an unhandled rejection there would have ended it.
      expect(await render("js: 'alive'")).toBe('alive');
    });
  });
});
