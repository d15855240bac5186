import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  BootstrapFileError,
  loadBootstrapFile,
} from '../../../src/admin/bootstrap/bootstrap-file.loader.js';
import { ConfigError } from '../../../src/config/config.errors.js';
import { loadGatewayConfig } from '../../../src/config/config.loader.js';
import {
  checkCustomPattern,
  compileCustomPatterns,
} from '../../../src/governance/pii/detection/custom-patterns.js';
import { compilePolicy } from '../../../src/governance/policy/dsl/policy.compiler.js';
import {
  PolicyCompileError,
  type ProviderCatalog,
} from '../../../src/governance/policy/policy.types.js';
import { hostileLeaf } from './fuzz-bodies.js';

/*
 * Issue 18: what operators write is fuzzed like what callers send. PII custom patterns (an
 * accepted pattern must never backtrack catastrophically), policy documents, bootstrap files and
 * pricing files: each generated input is accepted or refused with the documented error (its class
 * and a message), nothing else is thrown, and nothing runs away.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const FILE_RUNS = Math.max(1, Math.floor(RUNS / 5));
const dir = mkdtempSync(join(tmpdir(), 'gw-file-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pieces regexes are made of, the dangerous ones included. */
const REGEX_PIECES = [
  'a',
  'b',
  'x',
  '\\d',
  '\\w',
  '\\s',
  '.',
  '[a-z]',
  '[^x]',
  '\\p{L}',
  '\\b',
  '^',
  '$',
  '(',
  ')',
  '(?:',
  '(?=',
  '(?!',
  '(?<=',
  '+',
  '*',
  '?',
  '{2,5}',
  '{1,}',
  '{3}',
  '|',
  '\\1',
  '(a+)+',
  '(a|aa)+',
  '(\\d+)*',
  '.*',
  '\\d+\\d+',
  '(?:a|a?)+',
  '[0-9]{4}',
  '-',
  '@',
  '\\.',
];
const regexSource = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.constantFrom(...REGEX_PIECES), { minLength: 1, maxLength: 12 })
      .map((p) => p.join('')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
/** Texts on which a catastrophic pattern takes forever. */
const ADVERSARIAL = [
  `${'a'.repeat(3_000)}!`,
  `${'1'.repeat(3_000)}x`,
  `${'ab'.repeat(1_500)}\n`,
  `${' '.repeat(3_000)}x`,
  `${'a@'.repeat(1_500)}.`,
];

const CATALOG: ProviderCatalog = {
  known: new Set(['openai', 'anthropic', 'mistral', 'bedrock', 'mock']),
  active: new Set(['openai', 'mock']),
};

const condition = fc.oneof(
  fc.record({
    model: fc.record({
      denylist: fc.array(
        fc.oneof(fc.constantFrom('gpt-*', '*-preview', '**', '*'), fc.string({ maxLength: 12 })),
        { maxLength: 3 },
      ),
    }),
  }),
  fc.record({ max_tokens: fc.record({ limit: fc.oneof(fc.integer(), hostileLeaf) }) }),
  fc.record({
    tools: fc.record({ allowlist: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }),
  }),
  fc.record({
    provider: fc.record({
      allowlist: fc.array(fc.constantFrom('openai', 'nope', 'mock'), { maxLength: 3 }),
    }),
  }),
  fc.record({
    pii: fc.record({
      detected: fc.array(fc.constantFrom('EMAIL', 'SSN', 'NOPE'), { maxLength: 3 }),
    }),
  }),
  fc.record({
    time_of_day: fc.record({
      between: fc.array(fc.constantFrom('08:00', '24:00', '25:61', 'noon', ''), {
        minLength: 0,
        maxLength: 3,
      }),
      timezone: fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Olympus', ''),
      days: fc.array(fc.constantFrom('mon', 'fri', 'funday'), { maxLength: 3 }),
    }),
  }),
  fc.record({
    budget_utilization: fc.record({
      above_pct: fc.oneof(fc.integer({ min: -10, max: 200 }), hostileLeaf),
    }),
  }),
  fc.record({
    data_residency: fc.record({
      tenant_region: fc.constantFrom('eu', ''),
      allowed_providers: fc.array(fc.constantFrom('mistral', 'x'), { maxLength: 2 }),
    }),
  }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileLeaf, { maxKeys: 2 }),
);
const rule = fc.record(
  {
    id: fc.oneof(fc.constantFrom('r1', 'r-2', ''), fc.string({ maxLength: 10 })),
    priority: fc.oneof(fc.integer({ min: -5, max: 1_000 }), hostileLeaf),
    conditions: fc.tuple(condition, condition).map(([a, b]) => ({ ...a, ...b })),
    action: fc.constantFrom('DENY', 'deny', 'WARN_AGENT', 'ROUTE', 'EXPLODE'),
    deny_message: fc.oneof(fc.string({ maxLength: 20 }), hostileLeaf),
    route_to: fc.record({
      provider: fc.constantFrom('openai', 'mock', 'nope'),
      model: fc.string({ maxLength: 10 }),
    }),
  },
  { requiredKeys: ['id'] },
);
const validPolicy = fc
  .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('DENY', 'warn_agent'))
  .map(
    ([limit, action]) =>
      `rules:\n  - id: r1\n    conditions:\n      max_tokens: { limit: ${limit} }\n    action: ${action}\n`,
  );
const policyDsl = fc.oneof(
  { weight: 2, arbitrary: validPolicy },
  {
    weight: 6,
    arbitrary: fc
      .record(
        { version: fc.constantFrom('1', 1, '2'), rules: fc.array(rule, { maxLength: 4 }) },
        { requiredKeys: ['rules'] },
      )
      .map((doc) => stringify(doc)),
  },
  { weight: 1, arbitrary: hostileLeaf.map((leaf) => stringify(leaf)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'rules: [',
      'rules:\n  - &a [*a]',
      'a: !!binary x',
      '{'.repeat(200),
      `rules:\n${'  - '.repeat(40)}x`,
    ),
  },
);

const bootstrapDoc = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          tenants: fc.array(
            fc.record(
              {
                id: fc.oneof(fc.constantFrom('acme', 'Bad Id', ''), fc.string({ maxLength: 10 })),
                name: fc.oneof(fc.string({ maxLength: 10 }), hostileLeaf),
                region: fc.constantFrom('eu', 'us', 'mars'),
                keys: fc.array(
                  fc.record(
                    {
                      name: fc.string({ maxLength: 8 }),
                      key: fc.oneof(
                        fc.constantFrom(`gw_${'ab'.repeat(20)}`, 'short', '${KEY:}'),
                        hostileLeaf,
                      ),
                      scopes: fc.array(fc.constantFrom('completions:write', 'nope'), {
                        maxLength: 2,
                      }),
                    },
                    { requiredKeys: [] },
                  ),
                  { maxLength: 2 },
                ),
                settings: fc.oneof(
                  fc.record({ pii_action: fc.constantFrom('REDACT', 'NOPE') }),
                  hostileLeaf,
                ),
              },
              { requiredKeys: ['id'] },
            ),
            { maxLength: 3 },
          ),
          budgets: fc.array(
            fc.record({
              id: fc.string({ maxLength: 8 }),
              tenant: fc.constantFrom('acme', 'ghost'),
              period: fc.constantFrom('day', 'week', 'month', 'year'),
              limit_usd: fc.oneof(fc.double(), hostileLeaf),
            }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      )
      .map((doc) => stringify(doc)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: hostileLeaf.map((leaf) => stringify({ tenants: leaf })) },
);

const pricingDoc = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        pricing: fc.array(
          fc.record(
            {
              provider: fc.constantFrom('openai', 'mock', '', 'nope'),
              model: fc.constantFrom('gpt-4o*', '*', '', '[', 'x'.repeat(300)),
              input: fc.oneof(fc.double(), hostileLeaf),
              output: fc.oneof(fc.double(), hostileLeaf),
              cached_input: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), hostileLeaf),
            },
            { requiredKeys: ['provider', 'model'] },
          ),
          { maxLength: 3 },
        ),
      })
      .map((doc) => stringify(doc)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);

/** Runs `accept` on each input; any throw that `documented` does not recognise is a problem. */
function problemsOf<T>(
  inputs: readonly T[],
  accept: (input: T) => void,
  documented: (error: unknown) => boolean,
): string[] {
  const problems: string[] = [];
  for (const input of inputs) {
    try {
      accept(input);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (!documented(error) || message.trim() === '' || /\n\s+at /.test(message)) {
        problems.push(`${String(error)} for ${JSON.stringify(input).slice(0, 200)}`);
      }
    }
    if (problems.length >= 10) break;
  }
  return problems;
}

describe('fuzzed operator files and patterns', () => {
  it(`PII custom patterns: ${RUNS} sources, an accepted one never backtracks catastrophically`, () => {
    const problems: string[] = [];
    let accepted = 0;
    for (const source of fc.sample(regexSource, { numRuns: RUNS, seed: SEED })) {
      let refusal: string | undefined;
      try {
        refusal = checkCustomPattern('fuzz', source);
      } catch (error) {
        problems.push(`threw ${String(error)} for ${JSON.stringify(source)}`);
        continue;
      }
      if (refusal !== undefined) continue;
      accepted += 1;
      try {
        // vm's timeout interrupts a runaway regex; an accepted pattern must finish far sooner.
        // The regex the gateway scans with, and its loop (an empty match moves on by one).
        const [re] = compileCustomPatterns([{ label: 'fuzz', source }]);
        runInNewContext(
          `for (const text of texts) {
             re.lastIndex = 0;
             for (let m = re.exec(text); m !== null; m = re.exec(text)) {
               if (m[0].length === 0) re.lastIndex = m.index + 1;
             }
           }`,
          { re, texts: ADVERSARIAL },
          { timeout: 2_000 },
        );
      } catch (error) {
        problems.push(`accepted ${JSON.stringify(source)}, then: ${String(error)}`);
      }
      if (problems.length >= 10) break;
    }
    expect(problems).toEqual([]);
    expect(accepted).toBeGreaterThan(RUNS / 20);
  }, 300_000);

  it(`policy documents: ${RUNS} compiled or refused with PolicyCompileError`, () => {
    const docs = fc.sample(policyDsl, { numRuns: RUNS, seed: SEED + 1 });
    let compiled = 0;
    const problems = problemsOf(
      docs,
      (dsl) => {
        compilePolicy({ id: 'fuzz', tenant: null, status: 'ACTIVE', dsl }, CATALOG);
        compiled += 1;
      },
      (error) => error instanceof PolicyCompileError,
    );
    expect(problems).toEqual([]);
    expect(compiled).toBeGreaterThan(0);
  }, 300_000);

  it(`bootstrap files: ${FILE_RUNS} loaded or refused with BootstrapFileError`, () => {
    const file = join(dir, 'bootstrap.yml');
    const problems = problemsOf(
      fc.sample(bootstrapDoc, { numRuns: FILE_RUNS, seed: SEED + 2 }),
      (text) => {
        writeFileSync(file, text);
        loadBootstrapFile(file, { KEY: `gw_${'cd'.repeat(20)}` });
      },
      (error) => error instanceof BootstrapFileError,
    );
    expect(problems).toEqual([]);
  }, 300_000);

  it(`pricing files: ${FILE_RUNS} loaded or refused with ConfigError`, () => {
    const shipped = resolve('config');
    const target = mkdtempSync(join(dir, 'config-'));
    copyFileSync(join(shipped, 'application.yml'), join(target, 'application.yml'));
    const problems = problemsOf(
      fc.sample(pricingDoc, { numRuns: FILE_RUNS, seed: SEED + 3 }),
      (text) => {
        writeFileSync(join(target, 'pricing.yml'), text);
        loadGatewayConfig({ env: {}, configDir: target });
      },
      (error) => error instanceof ConfigError,
    );
    expect(problems).toEqual([]);
  }, 300_000);
});
