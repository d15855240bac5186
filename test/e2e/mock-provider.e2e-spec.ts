import {
  type GatewayUnderTest,
  postJson,
  readSse,
  startGateway,
  readJson,
} from '../helpers/gateway-harness.js';

const overrides = [
  '"[mock/fast]": "Fast model response"',
  `"[mock/js]": "js: 'Hello from ' + request.model + ' after ' + request.messages.length + ' message(s)'"`,
  `"[mock/js-last]": "js: const last = request.messages[request.messages.length - 1]; 'You said: ' + last.content"`,
  `"[mock/js-throws]": "js: (() => { throw new Error('boom') })()"`,
  '"[mock/js-loops]": "js: while (true) {}"',
  `"[mock/js-loops-in-promise]": "js: Promise.resolve().then(() => { while (true) {} }); 'never'"`,
  `"[mock/js-hog]": "js: const hoard = []; for (;;) hoard.push(new Array(100000).fill(1.5)); 'never'"`,
  '"[mock/js-number]": "js: 42"',
  '"[mock/js-syntax]": "js: \'unterminated"',
  `"[mock/js-escape]": "js: this.constructor.constructor('return process')().env.HOME"`,
  `"[mock/js-require]": "js: require('fs').readFileSync('/etc/passwd', 'utf8')"`,
  `"[mock/groovy]": "groovy: throw new RuntimeException('test')"`,
  `"[mock/python]": "python: 'Hello from ' + request.model"`,
];

const mockYaml = (settings: Record<string, string | number>) =>
  [
    'gateway:',
    '  providers:',
    '    mock:',
    ...Object.entries(settings).map(([k, v]) => `      ${k}: ${v}`),
    '      response-overrides:',
    ...overrides.map((o) => `        ${o}`),
  ].join('\n');

describe('Mock provider options (contract 5.1)', () => {
  let gw: GatewayUnderTest;
  const chat = (model: string, extra: object = {}) =>
    postJson(`${gw.url}/v1/chat/completions`, {
      model,
      messages: [{ role: 'user', content: 'ping' }],
      ...extra,
    });

  beforeAll(async () => {
    gw = await startGateway({
      yaml: mockYaml({ response: '"Default answer"', 'script-timeout-ms': 200 }),
    });
  });
  afterAll(() => gw.close());

  it('answers with the configured response, and per-model overrides in bracket notation', async () => {
    expect((await chat('mock/anything')).body.choices[0].message.content).toBe('Default answer');
    expect((await chat('mock/fast')).body.choices[0].message.content).toBe('Fast model response');
  });

  it('evaluates js: scripts per request with the request bound', async () => {
    const res = await chat('mock/js', {
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('Hello from mock/js after 2 message(s)');
    const echo = await chat('mock/js-last', { messages: [{ role: 'user', content: 'bonjour' }] });
    expect(echo.body.choices[0].message.content).toBe('You said: bonjour');
  });

  it.each([
    ['mock/js-throws', /boom/],
    ['mock/js-loops', /time limit of 200 ms/],
    ['mock/js-number', /number.*expected a string/],
    ['mock/js-syntax', /js/],
    ['mock/js-escape', /js/],
    ['mock/js-require', /js/],
  ])('answers a failing script (%s) with 502 provider_error saying why', async (model, why) => {
    const res = await chat(model);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.type).toBe('provider_error');
    expect(res.body.error.message).toMatch(why);
    expect(res.body.error.message).not.toMatch(/\/root|\/home|at .*\.js:\d+/);
  });

  it('keeps serving scripts after one ran out of time, a promise job included', async () => {
    for (const model of ['mock/js-loops', 'mock/js-loops-in-promise']) {
      const res = await chat(model);
      expect(res.status).toBe(502);
      expect(res.body.error.message).toBe(
        'Mock response script (js) exceeded its time limit of 200 ms',
      );
    }
    expect((await chat('mock/js')).body.choices[0].message.content).toBe(
      'Hello from mock/js after 1 message(s)',
    );
  });

  it.each([
    ['mock/groovy', 'groovy'],
    ['mock/python', 'python'],
  ])(
    'answers %s with a clear "engine not available" error naming the engine',
    async (model, engine) => {
      const res = await chat(model);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      expect(res.body.error.message).toContain(`'${engine}'`);
      expect(res.body.error.message).toMatch(/not available/);
    },
  );

  it('fails a stream whose script fails before the first byte, as an HTTP error', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock/js-throws',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(res.status).toBe(502);
    expect((await readJson(res)).error.code).toBe('provider_error');
  });

  it.each(['json_object', 'json_schema'])(
    'wraps the text as {"result": ...} for %s',
    async (type) => {
      const response_format =
        type === 'json_schema'
          ? { type, json_schema: { name: 'answer', schema: { type: 'object' } } }
          : { type };
      const res = await chat('mock/fast', { response_format });
      expect(JSON.parse(res.body.choices[0].message.content)).toEqual({
        result: 'Fast model response',
      });
    },
  );

  it('streams one word per chunk whose concatenation is the whole text', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock/fast',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    const { data } = await readSse(res);
    const pieces = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content)
      .filter((c: string | undefined) => c);
    expect(pieces.map((p: string) => p.trim())).toEqual(['Fast', 'model', 'response']);
    expect(pieces.join('')).toBe('Fast model response');
  });

  it('estimates usage from the text', async () => {
    const short = await chat('mock/fast');
    const long = await chat('mock/fast', {
      messages: [{ role: 'user', content: 'word '.repeat(400) }],
    });
    expect(long.body.usage.prompt_tokens).toBeGreaterThan(short.body.usage.prompt_tokens + 200);
    expect(short.body.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('returns deterministic embeddings: same text same vector, other text another', async () => {
    const url = `${gw.url}/v1/embeddings`;
    const a1 = await postJson(url, { model: 'mock/e', input: 'same text' });
    const a2 = await postJson(url, { model: 'mock/e', input: 'same text' });
    const b = await postJson(url, { model: 'mock/e', input: 'other text', dimensions: 64 });
    expect(a1.body.data[0].embedding).toEqual(a2.body.data[0].embedding);
    expect(b.body.data[0].embedding).toHaveLength(64);
    expect(b.body.data[0].embedding.slice(0, 8)).not.toEqual(a1.body.data[0].embedding.slice(0, 8));
    const norm = Math.hypot(...(a1.body.data[0].embedding as number[]));
    expect(norm).toBeCloseTo(1, 5);
  });
});

describe('Mock provider scripts run off the event loop', () => {
  let gw: GatewayUnderTest;
  const chat = (model: string) =>
    postJson(`${gw.url}/v1/chat/completions`, {
      model,
      messages: [{ role: 'user', content: 'ping' }],
    });

  beforeAll(async () => {
    gw = await startGateway({
      yaml: mockYaml({
        'script-timeout-ms': 3000,
        sandbox: '{ workers: 2, max-heap-mb: 16, max-queued: 4 }',
      }),
    });
  });
  afterAll(() => gw.close());

  it('answers other calls while a script loops, then times the loop out', async () => {
    let loopSettled = false;
    const loop = chat('mock/js-loops').finally(() => (loopSettled = true));

    const live = await fetch(`${gw.url}/health/live`);
    const scripted = await chat('mock/js');
    const plain = await chat('mock/plain');

    expect(live.status).toBe(200);
    expect(scripted.body.choices[0].message.content).toBe('Hello from mock/js after 1 message(s)');
    expect(plain.body.choices[0].message.content).toBe('This is a mock response');
    expect(loopSettled).toBe(false);
    const timedOut = await loop;
    expect(timedOut.status).toBe(502);
    expect(timedOut.body.error.message).toBe(
      'Mock response script (js) exceeded its time limit of 3000 ms',
    );
  });

  it('stops a script that allocates past its heap limit, and keeps serving', async () => {
    const res = await chat('mock/js-hog');

    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toBe(
      'Mock response script (js) exceeded its memory limit of 16 MB',
    );
    expect((await chat('mock/js')).status).toBe(200);
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });

  it('refuses sandbox settings out of range at start-up, naming the key', async () => {
    await expect(startGateway({ yaml: mockYaml({ sandbox: '{ workers: 0 }' }) })).rejects.toThrow(
      /gateway\.providers\.mock\.sandbox\.workers/,
    );
  });
});

describe('Mock provider latency, token delay and error rate', () => {
  it('waits latency-ms before answering and stream-token-delay-ms between chunks', async () => {
    const gw = await startGateway({
      yaml: mockYaml({
        'latency-ms': 150,
        'stream-token-delay-ms': 40,
        response: '"one two three four"',
      }),
    });
    try {
      const started = Date.now();
      const res = await postJson(`${gw.url}/v1/chat/completions`, {
        model: 'mock/slow',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(145);

      const streamStart = Date.now();
      const stream = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'mock/slow',
          stream: true,
          messages: [{ role: 'user', content: 'x' }],
        }),
      });
      await readSse(stream);
      // Four words: at least three gaps of 40 ms after the 150 ms latency.
      expect(Date.now() - streamStart).toBeGreaterThanOrEqual(150 + 3 * 40 - 10);
    } finally {
      await gw.close();
    }
  });

  it('fails every call with error-rate 1.0 (502 provider_error), streams before the first byte', async () => {
    const gw = await startGateway({ yaml: mockYaml({ 'error-rate': 1.0 }) });
    try {
      const res = await postJson(`${gw.url}/v1/chat/completions`, {
        model: 'mock/x',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      const stream = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'mock/x',
          stream: true,
          messages: [{ role: 'user', content: 'x' }],
        }),
      });
      expect(stream.status).toBe(502);
      const embed = await postJson(`${gw.url}/v1/embeddings`, { model: 'mock/x', input: 'x' });
      expect(embed.status).toBe(502);
    } finally {
      await gw.close();
    }
  });

  it('refuses an error-rate outside 0..1 at start-up, naming the key', async () => {
    await expect(startGateway({ yaml: mockYaml({ 'error-rate': 1.5 }) })).rejects.toThrow(
      /gateway\.providers\.mock\.error-rate/,
    );
  });
});
