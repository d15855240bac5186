import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CLI_COMMANDS } from '../../../src/cli/cli-commands.js';
import type { CliIo } from '../../../src/cli/cli.io.js';
import { runCli } from '../../../src/cli/cli.runner.js';

/*
 * Issue 18, bad input on the CLI: 10,000 generated command lines (every command, its own options
 * with hostile values, unknown options, missing values, stray arguments, hostile stdin) run
 * in-process against a SQLite database. Each ends with exit 0, 1 or 2 (2 is also `audit verify`'s
 * "nothing to check"), a reason when it failed, no stack trace and no secret, in bounded time.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const SECRET = 'cli-fuzz-audit-secret-0123456789abcdef';
const PER_RUN_MS = 15_000;

const hostileText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-',
    '--',
    '0',
    '-1',
    '1e309',
    'NaN',
    '9007199254740993',
    '0.000000001',
    '\u0000',
    '\ud800',
    '<img src=x onerror=alert(1)>',
    '../../etc/passwd',
    '/dev/zero',
    'default',
    'day',
    'month',
    'mock',
    'gpt-4o',
    '{"a":',
    'rules: [',
    'rules:\n  - id: r\n    conditions: { model: { denylist: ["(a+)+$"] } }\n',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Option names: the command's own, the global ones, and ones no command has. */
function optionNames(command: (typeof CLI_COMMANDS)[number]): string[] {
  return [...Object.keys(command.options), 'json', 'help', 'no-such-option', 'h', 'f'];
}

const commandLine: fc.Arbitrary<{ argv: string[]; stdin: string }> = fc
  .constantFrom(...CLI_COMMANDS)
  .chain((command) =>
    fc.record({
      words: fc.oneof(
        { weight: 8, arbitrary: fc.constant(command.name.split(' ')) },
        { weight: 1, arbitrary: fc.array(hostileText, { minLength: 1, maxLength: 2 }) },
      ),
      // Mostly with options, which then often fail to parse (fast); a line that parses opens
      // the database (tens of ms), so those are kept to a few hundred per 10,000.
      options: fc.oneof(
        { weight: 1, arbitrary: fc.constant([]) },
        {
          weight: 12,
          arbitrary: fc.array(
            fc.tuple(
              fc.constantFrom(...optionNames(command)),
              fc.oneof(hostileText, fc.constant(undefined)),
              fc.constantFrom('--', '-', '--no-'),
            ),
            { minLength: 1, maxLength: 4 },
          ),
        },
      ),
      positionals: fc.array(hostileText, { maxLength: command.args.length + 1 }),
      stdin: hostileText,
    }),
  )
  .map(({ words, options, positionals, stdin }) => {
    const argv = [...words];
    for (const [name, value, dash] of options) {
      argv.push(`${dash}${name}`);
      if (value !== undefined) argv.push(value);
    }
    argv.push(...positionals);
    return { argv, stdin };
  });

describe('fuzzed CLI command lines', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cli-fuzz-'));
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${RUNS} command lines, each a clean exit with a reason`, async () => {
    const problems: string[] = [];
    const codes = new Map<number, number>();
    for (const { argv, stdin } of fc.sample(commandLine, { numRuns: RUNS, seed: SEED })) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        env,
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        readStdin: () => Promise.resolve(stdin),
      };
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        runCli(argv, io).catch((err: unknown) => `threw ${String(err)}`),
        new Promise<string>((done) => {
          timer = setTimeout(() => done('no exit in time'), PER_RUN_MS);
        }),
      ]);
      clearTimeout(timer);
      const output = stdout + stderr;
      const problem =
        typeof code === 'string'
          ? code
          : ![0, 1, 2].includes(code)
            ? `exit ${code}`
            : code !== 0 && output.trim() === ''
              ? `exit ${code} without a reason`
              : /\n\s+at .+:\d+:\d+/.test(output)
                ? 'a stack trace'
                : output.includes(SECRET)
                  ? 'the audit secret'
                  : undefined;
      if (typeof code === 'number') codes.set(code, (codes.get(code) ?? 0) + 1);
      if (problem !== undefined) {
        problems.push(
          `${problem}: ${JSON.stringify(argv).slice(0, 300)} -> ${output.slice(0, 300)}`,
        );
        if (problems.length >= 10) break;
      }
    }
    process.stdout.write(`CLI fuzz exit codes: ${JSON.stringify(Object.fromEntries(codes))}\n`);
    expect(problems).toEqual([]);
    // The generator reaches every outcome: done, failed, usage error.
    expect([...codes.keys()].sort()).toEqual([0, 1, 2]);
  }, 600_000);
});
