import { toBudgetView } from '../admin/metering/budget-view.mapper.js';
import { toEffectivePriceView, toPriceEntryView } from '../admin/metering/pricing-view.mapper.js';
import { BudgetIdParams } from '../admin/dto/budget-id.params.js';
import { CreateBudgetDto } from '../admin/dto/create-budget.dto.js';
import { ListBudgetsQuery } from '../admin/dto/list-budgets.query.js';
import { PricingEntryDto } from '../admin/dto/pricing-entry.dto.js';
import { UpdateBudgetDto } from '../admin/dto/update-budget.dto.js';
import { SpendQueryDto } from '../admin/dto/spend.query.js';
import type { Budget } from '../governance/metering/budgets/budget.types.js';
import type { CliCommand, CommandContext } from './cli-command.types.js';
import { checked, CLI_ACTOR, optionalString, printJson, requiredString } from './cli-options.js';
import { formatTable } from './cli-table.js';
import { CliUsageError } from './cli-usage.error.js';

/**
 * `gateway spend`, `gateway budgets ...` and `gateway pricing ...` (contract 11): the admin API's
 * metering operations on the database directly. Budget and price writes advance the metering
 * version, which every running gateway polls (and, with Redis, are announced at once).
 */
export const METERING_COMMANDS: readonly CliCommand[] = [
  {
    name: 'spend',
    synopsis:
      '[--from <date>] [--to <date>] [--tenant <id>] [--key-id <id>] [--group-by <a,b>] [--format table|json|csv]',
    summary:
      'usage and cost grouped by tenant, key, model, provider, tag or day (the admin API spend report)',
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      tenant: { type: 'string' },
      'key-id': { type: 'string' },
      'group-by': { type: 'string' },
      format: { type: 'string' },
    },
    args: [],
    async run(context) {
      const format = optionalString(context, 'format') ?? (context.json ? 'json' : 'table');
      if (!['table', 'json', 'csv'].includes(format)) {
        throw new CliUsageError('--format must be table, json or csv.');
      }
      const query = checked(SpendQueryDto, {
        from: optionalString(context, 'from'),
        to: optionalString(context, 'to'),
        tenant: optionalString(context, 'tenant'),
        key_id: optionalString(context, 'key-id'),
        group_by: optionalString(context, 'group-by'),
      });
      const { spend } = await context.services();
      const report = await spend.report(query);
      if (format === 'json') return printJson(context, report);
      if (format === 'csv') return context.io.stdout(spend.toCsv(report));
      const csv = spend.toCsv(report).trimEnd().split('\r\n');
      const header = (csv[0] ?? '').split(',').map((h) => h.toUpperCase());
      const rows = report.data.map((row) => header.map((h) => String(row[h.toLowerCase()] ?? '')));
      rows.push(
        header.map((h, i) => (i === 0 ? 'TOTAL' : String(report.total[h.toLowerCase()] ?? ''))),
      );
      context.io.stdout(formatTable(header, rows));
    },
  },
  {
    name: 'budgets list',
    synopsis: '[--tenant <id>]',
    summary: 'list budgets from configuration, the bootstrap file and the API',
    options: { tenant: { type: 'string' } },
    args: [],
    async run(context) {
      const { tenant } = checked(ListBudgetsQuery, { tenant: optionalString(context, 'tenant') });
      const { budgets } = await context.services();
      const all = await budgets.list(tenant);
      if (context.json) return printJson(context, all.map(toBudgetView));
      context.io.stdout(budgetTable(all));
    },
  },
  {
    name: 'budgets create',
    synopsis:
      '--tenant <id> --period day|week|month --limit-usd <n> [--key-id <id>] [--soft-limit-pct <n>] [--id <id>] [--disabled]',
    summary: 'create a budget on a tenant or one of its keys',
    options: {
      id: { type: 'string' },
      tenant: { type: 'string' },
      'key-id': { type: 'string' },
      period: { type: 'string' },
      'limit-usd': { type: 'string' },
      'soft-limit-pct': { type: 'string' },
      disabled: { type: 'boolean' },
    },
    args: [],
    async run(context) {
      const dto = checked(CreateBudgetDto, {
        id: optionalString(context, 'id'),
        tenant: requiredString(context, 'tenant'),
        key_id: optionalString(context, 'key-id'),
        period: requiredString(context, 'period'),
        limit_usd: decimal(requiredString(context, 'limit-usd')),
        soft_limit_pct: decimal(optionalString(context, 'soft-limit-pct')),
        enabled: context.options.disabled === true ? false : undefined,
      });
      const { budgets } = await context.services();
      const budget = await budgets.create(
        {
          id: dto.id,
          tenantId: dto.tenant,
          keyId: dto.key_id ?? null,
          period: dto.period,
          limitUsd: dto.limit_usd,
          softLimitPct: dto.soft_limit_pct ?? 80,
          enabled: dto.enabled ?? true,
        },
        CLI_ACTOR,
      );
      if (context.json) return printJson(context, toBudgetView(budget));
      context.io.stdout(`Created budget '${budget.id}'.\n`);
    },
  },
  {
    name: 'budgets update',
    synopsis:
      '<id> [--period day|week|month] [--limit-usd <n>] [--soft-limit-pct <n>] [--enable|--disable]',
    summary: "change a budget's period, limits or state",
    options: {
      period: { type: 'string' },
      'limit-usd': { type: 'string' },
      'soft-limit-pct': { type: 'string' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
    },
    args: ['id'],
    async run(context) {
      const { id } = checked(BudgetIdParams, { id: context.args[0] }, { id: '<id>' });
      if (context.options.enable === true && context.options.disable === true) {
        throw new CliUsageError('--enable and --disable exclude each other.');
      }
      const dto = checked(UpdateBudgetDto, {
        period: optionalString(context, 'period'),
        limit_usd: decimal(optionalString(context, 'limit-usd')),
        soft_limit_pct: decimal(optionalString(context, 'soft-limit-pct')),
        enabled:
          context.options.enable === true
            ? true
            : context.options.disable === true
              ? false
              : undefined,
      });
      const { budgets } = await context.services();
      const budget = await budgets.update(
        id,
        {
          period: dto.period,
          limitUsd: dto.limit_usd,
          softLimitPct: dto.soft_limit_pct,
          enabled: dto.enabled,
        },
        CLI_ACTOR,
      );
      if (context.json) return printJson(context, toBudgetView(budget));
      context.io.stdout(`Updated budget '${budget.id}'.\n`);
    },
  },
  {
    name: 'budgets delete',
    synopsis: '<id>',
    summary: 'delete a budget',
    options: {},
    args: ['id'],
    async run(context) {
      const { id } = checked(BudgetIdParams, { id: context.args[0] }, { id: '<id>' });
      const { budgets } = await context.services();
      await budgets.delete(id, CLI_ACTOR);
      if (context.json) return printJson(context, { id, deleted: true });
      context.io.stdout(`Deleted budget '${id}'.\n`);
    },
  },
  {
    name: 'budgets usage',
    synopsis: '<id>',
    summary:
      "a budget's current period: spent, reserved, remaining (this replica's view without Redis)",
    options: {},
    args: ['id'],
    async run(context) {
      const { id } = checked(BudgetIdParams, { id: context.args[0] }, { id: '<id>' });
      const { budgets } = await context.services();
      const usage = await budgets.usage(id);
      if (context.json) return printJson(context, usage);
      context.io.stdout(
        formatTable(
          Object.keys(usage).map((k) => k.toUpperCase()),
          [Object.values(usage).map(String)],
        ),
      );
    },
  },
  {
    name: 'pricing list',
    synopsis: '',
    summary:
      'list the stored, configuration and pricing.yml price entries (USD per million tokens)',
    options: {},
    args: [],
    async run(context) {
      const { pricing } = await context.services();
      const entries = pricing.list().map(({ source, entry }) => toPriceEntryView(source, entry));
      if (context.json) return printJson(context, entries);
      context.io.stdout(
        formatTable(
          ['PROVIDER', 'MODEL', 'SOURCE', 'INPUT', 'OUTPUT', 'CACHED-INPUT', 'CACHE-WRITE'],
          entries.map((e) => [
            e.provider,
            e.model,
            e.source,
            rate(e.input),
            rate(e.output),
            rate(e.cached_input),
            rate(e.cache_write),
          ]),
        ),
      );
    },
  },
  {
    name: 'pricing get',
    synopsis: '--provider <id> --model <model>',
    summary: "a model's effective price and where it comes from",
    options: { provider: { type: 'string' }, model: { type: 'string' } },
    args: [],
    async run(context) {
      const provider = requiredString(context, 'provider');
      const model = requiredString(context, 'model');
      const { pricing } = await context.services();
      const view = toEffectivePriceView(pricing.lookup(provider, model));
      if (context.json) return printJson(context, view);
      context.io.stdout(
        view.priced
          ? `${provider} ${model}: input ${rate(view.input)}, output ${rate(view.output)}, cached input ${rate(view.cached_input)} USD per million tokens (${view.source}: ${view.matched}).\n`
          : `${provider} ${model}: unpriced (its calls cost 0 and are reported as unpriced).\n`,
      );
    },
  },
  {
    name: 'pricing set',
    synopsis:
      '--provider <id> --model <glob> --input <usd> --output <usd> [--cached-input <usd>] [--cache-write <usd>]',
    summary: 'store a price, USD per million tokens, over configuration and the catalogue',
    options: {
      provider: { type: 'string' },
      model: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      'cached-input': { type: 'string' },
      'cache-write': { type: 'string' },
    },
    args: [],
    async run(context) {
      const dto = checked(PricingEntryDto, {
        provider: requiredString(context, 'provider'),
        model: requiredString(context, 'model'),
        input: decimal(requiredString(context, 'input')),
        output: decimal(requiredString(context, 'output')),
        cached_input: decimal(optionalString(context, 'cached-input')),
        cache_write: decimal(optionalString(context, 'cache-write')),
      });
      const { pricing } = await context.services();
      const found = await pricing.upsert(
        {
          provider: dto.provider,
          model: dto.model,
          price: {
            input: dto.input,
            output: dto.output,
            ...(dto.cached_input === undefined ? {} : { cachedInput: dto.cached_input }),
            ...(dto.cache_write === undefined ? {} : { cacheWrite: dto.cache_write }),
          },
        },
        CLI_ACTOR,
      );
      if (context.json) return printJson(context, toEffectivePriceView(found));
      context.io.stdout(`Stored the price of ${dto.provider} ${dto.model}.\n`);
    },
  },
];

/** A number from an option, or the text itself so validation names the option. */
function decimal(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim()) ? Number(text) : text;
}

function rate(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function budgetTable(budgets: readonly Budget[]): string {
  return formatTable(
    ['ID', 'TENANT', 'KEY', 'PERIOD', 'LIMIT-USD', 'SOFT-%', 'ENABLED', 'SOURCE'],
    budgets.map((b) => [
      b.id,
      b.tenantId,
      b.keyId ?? '',
      b.period,
      String(b.limitUsd),
      String(b.softLimitPct),
      b.enabled ? 'yes' : 'no',
      b.source,
    ]),
  );
}

export type { CommandContext };
