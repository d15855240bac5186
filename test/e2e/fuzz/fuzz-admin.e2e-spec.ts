import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { call, TOKEN } from '../../helpers/admin-client.js';
import { type GatewayUnderTest, startGateway } from '../../helpers/gateway-harness.js';
import {
  exchange,
  type Exchange,
  inParallel,
  problems,
  report,
  expectBothSides,
} from './fuzz-answers.js';
import { hostile, nearlyValid, type WireBody } from './fuzz-bodies.js';
import { adminCalls, adminQueries } from './fuzz-schemas.js';

/*
 * Issue 18, bad input on the admin API: 10,000 generated writes (valid from the API's own
 * shapes, nearly valid, hostile) spread over every write endpoint, and generated query strings
 * on every list endpoint; each answered in the documented envelope with a documented code,
 * never a 5xx, a hang, a stack trace or the admin token.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const CONCURRENCY = 8;

let gw: GatewayUnderTest;
let keyId: string;

beforeAll(async () => {
  gw = await startGateway({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
  const tenant = await call(gw, 'POST', '/v1/admin/tenants', {
    body: { id: 'fuzz', name: 'Fuzz' },
  });
  expect(tenant.status).toBe(201);
  const key = await call(gw, 'POST', '/v1/admin/tenants/fuzz/keys', { body: { name: 'k' } });
  expect(key.status).toBe(201);
  keyId = key.body.id;
}, 60_000);

afterAll(async () => {
  await gw?.close();
});

interface AdminSample {
  readonly method: string;
  readonly path: string;
  readonly sent?: WireBody;
}

function writes(count: number): AdminSample[] {
  const each = Math.ceil(count / 3);
  const calls = adminCalls(keyId);
  const valid = fc.sample(calls, { numRuns: each, seed: SEED }).map((c) => ({
    method: c.method,
    path: c.path,
    sent: { body: JSON.stringify(c.body), contentType: 'application/json', kind: 'valid' },
  }));
  const nearly = fc.sample(
    calls.chain((c) =>
      nearlyValid(fc.constant(c.body)).map((sent) => ({ method: c.method, path: c.path, sent })),
    ),
    { numRuns: each, seed: SEED + 1 },
  );
  const bad = fc.sample(
    fc.tuple(calls, hostile('name')).map(([c, sent]) => ({ method: c.method, path: c.path, sent })),
    { numRuns: each, seed: SEED + 2 },
  );
  return [...valid, ...nearly, ...bad];
}

async function fuzz(items: readonly AdminSample[]): Promise<Exchange[]> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const answers = await inParallel(items, CONCURRENCY, (s) =>
    exchange(gw.url, s.method, s.path, s.sent, headers),
  );
  const failures = answers
    .map((answer) => ({ answer, problems: problems(answer, [TOKEN]) }))
    .filter((f) => f.problems.length > 0);
  expect(report(failures)).toBe('');
  return answers;
}

describe('fuzzed admin API', () => {
  it(`${RUNS} generated writes over every write endpoint, each a documented answer`, async () => {
    const answers = await fuzz(writes(RUNS));
    expectBothSides(answers, 0.05);
    // Still serving, and what was written is readable.
    const tenants = await call(gw, 'GET', '/v1/admin/tenants?limit=5');
    expect(tenants.status).toBe(200);
  }, 400_000);

  it('generated query strings on every list endpoint, each a documented answer', async () => {
    const queries = fc.sample(adminQueries, { numRuns: Math.ceil(RUNS / 5), seed: SEED + 3 });
    const answers = await fuzz(queries.map((path) => ({ method: 'GET', path })));
    expectBothSides(answers, 0.01);
  }, 300_000);
});
