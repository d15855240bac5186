import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { KeysAdminService } from '../admin/keys-admin.service.js';
import { BudgetsAdminService } from '../admin/metering/budgets-admin.service.js';
import { PricingAdminService } from '../admin/metering/pricing-admin.service.js';
import { SpendAdminService } from '../admin/metering/spend-admin.service.js';
import { PoliciesAdminService } from '../admin/policies-admin.service.js';
import { TenantsAdminService } from '../admin/tenants-admin.service.js';
import { loadGatewayConfig } from '../config/config.loader.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { PolicyDryRun } from '../governance/policy/policy-dry-run.service.js';
import type { AdminServices, CliCommand } from './cli-command.types.js';
import { CLI_COMMANDS } from './cli-commands.js';
import { CliUsageError } from './cli-usage.error.js';
import type { CliIo } from './cli.io.js';
import { CliModule } from './cli.module.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs one CLI command line (without `node` and the script) and returns its exit code: 0 done,
 * 1 failed (the reason on stderr, no stack), 2 usage error. Never calls `process.exit`, so tests
 * run it in-process with captured streams.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [group, name] = argv;
  if (group === undefined) {
    io.stderr(usage());
    return EXIT_USAGE;
  }
  if (isHelp(group) || group === 'help') {
    io.stdout(usage(name));
    return EXIT_OK;
  }
  // One-word commands (`gateway spend`) take every word after them as arguments and options.
  const single = CLI_COMMANDS.find((c) => c.name === group);
  const command = single ?? CLI_COMMANDS.find((c) => c.name === `${group} ${name}`);
  const rest = argv.slice(single === undefined ? 2 : 1);
  if (!command) {
    const knownGroup = CLI_COMMANDS.some((c) => c.name.startsWith(`${group} `));
    if (knownGroup && name !== undefined && isHelp(name)) {
      io.stdout(usage(group));
      return EXIT_OK;
    }
    const what = knownGroup && name !== undefined ? `${group} ${name}` : group;
    const problem =
      knownGroup && name === undefined ? `'${group}' needs a command` : `unknown command '${what}'`;
    io.stderr(`gateway: ${problem}.\n\n${usage(knownGroup ? group : undefined)}`);
    return EXIT_USAGE;
  }
  if (rest.some(isHelp)) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }

  const session = new Session(io);
  try {
    const parsed = parse(command, rest);
    const code = await command.run({
      io,
      options: parsed.values,
      args: parsed.args,
      json: parsed.values.json === true,
      config: () => session.config(),
      services: () => session.services(),
    });
    return typeof code === 'number' ? code : EXIT_OK;
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.stderr(`gateway ${command.name}: ${err.message}\nUsage: ${usageLine(command)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`gateway ${command.name}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  } finally {
    await session.close(io);
  }
}

function parse(
  command: CliCommand,
  argv: readonly string[],
): { values: Record<string, string | boolean | undefined>; args: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs names the problem: an unknown option, or an option without its value.
    throw new CliUsageError(describe(err));
  }
  const args = parsed.positionals;
  if (args.length < command.args.length) {
    throw new CliUsageError(`<${command.args[args.length]}> is required.`);
  }
  if (args.length > command.args.length) {
    throw new CliUsageError(`unexpected argument '${args[command.args.length]}'.`);
  }
  return { values: parsed.values, args };
}

/** The configuration and the application context, created on first use only. */
class Session {
  private loaded?: GatewayConfig;
  private context?: INestApplicationContext;

  constructor(private readonly io: CliIo) {}

  config(): GatewayConfig {
    this.loaded ??= loadGatewayConfig({ env: this.io.env });
    return this.loaded;
  }

  async services(): Promise<AdminServices> {
    // Nest's own logger stays off: stdout carries keys and JSON for scripts, and failures are
    // reported once, by the runner.
    this.context ??= await NestFactory.createApplicationContext(CliModule.forRoot(this.config()), {
      logger: false,
      abortOnError: false,
    });
    return {
      tenants: this.context.get(TenantsAdminService),
      keys: this.context.get(KeysAdminService),
      policies: this.context.get(PoliciesAdminService),
      dryRun: this.context.get(PolicyDryRun),
      budgets: this.context.get(BudgetsAdminService),
      pricing: this.context.get(PricingAdminService),
      spend: this.context.get(SpendAdminService),
    };
  }

  async close(io: CliIo): Promise<void> {
    try {
      await this.context?.close();
    } catch (err) {
      io.stderr(`gateway: could not close the database cleanly: ${describe(err)}\n`);
    }
  }
}

function isHelp(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}

/** The message alone (no stack, no class name); duck-typed, as errors may come from another realm. */
function describe(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

function usageLine(command: CliCommand): string {
  return `gateway ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''} [--json]`;
}

function commandHelp(command: CliCommand): string {
  return `Usage: ${usageLine(command)}\n\n${capitalize(command.summary)}.\n`;
}

function usage(group?: string): string {
  const commands = CLI_COMMANDS.filter(
    (c) => group === undefined || c.name.startsWith(`${group} `),
  );
  const shown = commands.length > 0 ? commands : CLI_COMMANDS;
  const lines = shown.map(
    (c) => `  gateway ${c.name} ${c.synopsis}`.trimEnd() + `\n      ${c.summary}`,
  );
  return [
    'Usage: gateway <command> [options]',
    '',
    'Manages tenants, API keys, policies, budgets and prices, reports spend, and checks the audit trail, in the gateway database: the one GATEWAY_DATABASE_URL names',
    '(SQLite at ./data/gateway.db when unset), with the configuration the gateway reads.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --json       print JSON (the admin API shapes) instead of text',
    '  -h, --help   show help',
    '',
    'Exit codes: 0 done, 1 failed, 2 usage error.',
    '',
  ].join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
