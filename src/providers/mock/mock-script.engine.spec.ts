import { jest } from '@jest/globals';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { MockScriptEngine } from './mock-script.engine.js';

const request: ChatCompletionRequest = {
  model: 'mock/js',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'ping' },
  ],
  temperature: 0.2,
};

const TIME_LIMIT_MS = 100;

function render(template: string, req: ChatCompletionRequest = request): string {
  return new MockScriptEngine().render(template, req, TIME_LIMIT_MS);
}

function failure(template: string, engine = new MockScriptEngine()): GatewayError {
  try {
    engine.render(template, request, TIME_LIMIT_MS);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`expected ${template} to fail`);
}

describe(MockScriptEngine.name, () => {
  it('returns static text unchanged, including text that merely mentions an engine', () => {
    expect(render('This is a mock response')).toBe('This is a mock response');
    expect(render('Say js: later')).toBe('Say js: later');
  });

  it('evaluates a js: expression with the whole request bound', () => {
    expect(render("js: 'Hello from ' + request.model + ' at ' + request.temperature")).toBe(
      'Hello from mock/js at 0.2',
    );
    expect(render('js: request.messages.map((m) => m.role).join(",")')).toBe('system,user');
  });

  it('uses the completion value of a short program', () => {
    expect(
      render(
        "js: const last = request.messages[request.messages.length - 1]; 'You said: ' + last.content",
      ),
    ).toBe('You said: ping');
  });

  it('gives the script a copy: changing it does not change the caller request', () => {
    const req = structuredClone(request);

    render("js: request.messages.length = 0; request.model = 'changed'; 'ok'", req);

    expect(req).toEqual(request);
  });

  it('starts every evaluation in a fresh context', () => {
    const engine = new MockScriptEngine();
    const counter = 'js: globalThis.n = (globalThis.n || 0) + 1; String(globalThis.n)';

    expect(engine.render(counter, request, TIME_LIMIT_MS)).toBe('1');
    expect(engine.render(counter, request, TIME_LIMIT_MS)).toBe('1');
  });

  it.each(['groovy', 'python'])('refuses a %s: script with a 502 naming the engine', (engine) => {
    const error = failure(`${engine}: 'Hello from ' + request.model`);

    expect(error.status).toBe(502);
    expect(error.code).toBe('provider_error');
    expect(error.message).toBe(
      `Mock response script uses the '${engine}' engine, which is not available in this runtime; use 'js:' instead.`,
    );
  });

  it("reports the script's own error message", () => {
    expect(failure("js: throw new Error('boom')").message).toBe(
      'Mock response script (js) failed: boom',
    );
    expect(failure("js: throw 'plain string'").message).toBe(
      'Mock response script (js) failed: plain string',
    );
    expect(failure('js: request.missing.field').message).toMatch(
      /^Mock response script \(js\) failed: .*undefined/,
    );
  });

  it('stops a script that runs past its time limit', () => {
    const started = Date.now();

    expect(failure('js: while (true) {}').message).toBe(
      `Mock response script (js) exceeded its time limit of ${TIME_LIMIT_MS} ms`,
    );
    expect(Date.now() - started).toBeLessThan(10 * TIME_LIMIT_MS);
  });

  it.each([
    ['js: 42', 'a number'],
    ['js: null', 'null'],
    ['js: undefined', 'undefined'],
    ['js: ({ text: "hi" })', 'an object'],
    ['js: Promise.resolve("late")', 'a Promise'],
  ])('refuses a non-string result (%s)', (template, described) => {
    expect(failure(template).message).toMatch(
      new RegExp(`^Mock response script \\(js\\) returned ${described}.*, expected a string$`),
    );
  });

  it('reports a syntax error, and again on the next request', () => {
    const engine = new MockScriptEngine();

    expect(failure("js: 'unterminated", engine).message).toMatch(
      /^Mock response script \(js\) has a syntax error: /,
    );
    expect(failure("js: 'unterminated", engine).message).toMatch(/syntax error/);
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
    ])('keeps the host out of reach: %s', (source, why) => {
      const error = failure(`js: ${source}`);

      expect(error.message).toMatch(/^Mock response script \(js\) failed: /);
      expect(error.message).toContain(why);
    });

    it('exposes no host globals', () => {
      expect(
        render(
          'js: [typeof require, typeof process, typeof setTimeout, typeof setInterval, ' +
            'typeof Buffer, typeof fetch, typeof module, typeof __requestJson].join()',
        ),
      ).toBe('undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined');
    });

    it('does not run script getters on the host, where no time limit applies', () => {
      const started = Date.now();

      expect(failure('js: throw { get message() { while (true) {} } }').message).toBe(
        'Mock response script (js) failed: the thrown value could not be described',
      );
      expect(
        failure(
          'js: new Proxy({}, { get() { while (true) {} }, getPrototypeOf() { while (true) {} } })',
        ).message,
      ).toMatch(/returned an object/);
      expect(
        failure(
          'js: throw new Proxy({}, { get() { while (true) {} }, getOwnPropertyDescriptor() { while (true) {} } })',
        ).message,
      ).toMatch(/failed: the thrown value could not be described/);
      expect(Date.now() - started).toBeLessThan(10 * TIME_LIMIT_MS);
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
          expect(failure(`js: ${source}`).message).toBe(
            'Mock response script (js) returned a Promise (scripts run synchronously), expected a string',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        process.off('unhandledRejection', unhandled);
      }

      expect(unhandled).not.toHaveBeenCalled();
    });
  });
});
