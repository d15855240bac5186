import type { Type } from '@nestjs/common';
import { validateInput } from '../admin/admin-input.pipe.js';
import type { AdminActor } from '../admin/admin-events.service.js';
import { keyState, toApiKeyView, toNewTenant, toTenantView } from '../admin/admin-view.mapper.js';
import { CreateApiKeyDto } from '../admin/dto/create-api-key.dto.js';
import { CreateTenantDto } from '../admin/dto/create-tenant.dto.js';
import { SHOWN_ONCE_WARNING } from '../admin/dto/issued-api-key.view.js';
import { KeyIdParams } from '../admin/dto/key-id.params.js';
import { MAX_PAGE_SIZE } from '../admin/dto/list-tenants.query.js';
import { RotateApiKeyDto } from '../admin/dto/rotate-api-key.dto.js';
import { TenantIdParams } from '../admin/dto/tenant-id.params.js';
import type { KeysAdminService } from '../admin/keys-admin.service.js';
import type { TenantsAdminService } from '../admin/tenants-admin.service.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { hashApiKey, isWellFormedKey } from '../governance/auth/api-key.secret.js';
import type { Tenant } from '../storage/tenant.types.js';
import { describeDatabaseTarget, resolveDatabaseTarget } from '../storage/database-target.js';
import { createDatabase } from '../storage/database.factory.js';
import { migrateToLatest } from '../storage/database.migrator.js';
import { formatTable } from './cli-table.js';
import { CliUsageError } from './cli-usage.error.js';
import type { CliIo } from './cli.io.js';

export const CLI_ACTOR: AdminActor = { via: 'cli' };

/** The administration services of a booted application context. */
export interface AdminServices {
  readonly tenants: TenantsAdminService;
  readonly keys: KeysAdminService;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Option values by long name (`expires-at`), as parsed. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly args: readonly string[];
  readonly json: boolean;
  config(): GatewayConfig;
  /** Boots the application context on first use; the runner closes it. */
  services(): Promise<AdminServices>;
}

export interface CliCommand {
  /** Group and command, e.g. `keys create`. */
  readonly name: string;
  /** What follows the name in the usage line. */
  readonly synopsis: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, { type: 'string' | 'boolean' }>>;
  /** Names of the required positional arguments, in order. */
  readonly args: readonly string[];
  run(context: CommandContext): Promise<void>;
}

export const CLI_COMMANDS: readonly CliCommand[] = [
  {
    name: 'tenants create',
    synopsis: '--name <name> [--id <id>] [--region <region>]',
    summary: 'create a tenant (the id is derived from the name when not given)',
    options: { id: { type: 'string' }, name: { type: 'string' }, region: { type: 'string' } },
    args: [],
    async run(context) {
      const dto = checked(CreateTenantDto, {
        id: optionalString(context, 'id'),
        name: requiredString(context, 'name'),
        region: optionalString(context, 'region'),
      });
      const { tenants } = await context.services();
      const tenant = await tenants.create(toNewTenant(dto), CLI_ACTOR);
      if (context.json) return printJson(context, toTenantView(tenant));
      context.io.stdout(`Created tenant '${tenant.id}' (${tenant.name}).\n`);
    },
  },
  {
    name: 'tenants list',
    synopsis: '',
    summary: 'list every tenant',
    options: {},
    args: [],
    async run(context) {
      const { tenants } = await context.services();
      const all: Tenant[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await tenants.list({ limit: MAX_PAGE_SIZE, after });
        all.push(...page.tenants);
        if (!page.hasMore || page.tenants.length === 0) break;
        after = page.tenants[page.tenants.length - 1]?.id;
      }
      if (context.json) return printJson(context, all.map(toTenantView));
      context.io.stdout(
        formatTable(
          ['ID', 'NAME', 'STATUS', 'REGION', 'CREATED'],
          all.map((t) => [t.id, t.name, t.status, t.region ?? '', t.createdAt.toISOString()]),
        ),
      );
    },
  },
  {
    name: 'keys create',
    synopsis: '--tenant <id> [--name <name>] [--scopes <a,b>] [--expires-at <iso>]',
    summary: 'create an API key; the key is printed this once',
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-at': { type: 'string' },
    },
    args: [],
    async run(context) {
      const { id } = checked(
        TenantIdParams,
        { id: requiredString(context, 'tenant') },
        {
          id: '--tenant',
        },
      );
      const scopes = optionalString(context, 'scopes');
      const dto = checked(CreateApiKeyDto, {
        name: optionalString(context, 'name'),
        scopes: scopes?.split(',').map((scope) => scope.trim()),
        expires_at: optionalString(context, 'expires-at'),
      });
      const { keys } = await context.services();
      const issued = await keys.create(
        id,
        {
          name: dto.name ?? 'default',
          scopes: dto.scopes,
          expiresAt: dto.expires_at === undefined ? null : new Date(dto.expires_at),
        },
        CLI_ACTOR,
      );
      if (context.json) {
        const view = toApiKeyView(issued.key);
        return printJson(context, { ...view, key: issued.plaintext, warning: SHOWN_ONCE_WARNING });
      }
      // The key alone on stdout (KEY=$(gateway keys create ...)); the rest is for people.
      context.io.stdout(`${issued.plaintext}\n`);
      context.io.stderr(
        `Created API key ${issued.key.id} '${issued.key.name}' for tenant '${id}' ` +
          `(scopes ${issued.key.scopes.join(', ')}). ${SHOWN_ONCE_WARNING}\n`,
      );
    },
  },
  {
    name: 'keys list',
    synopsis: '--tenant <id>',
    summary: "list a tenant's API keys (masked), newest first",
    options: { tenant: { type: 'string' } },
    args: [],
    async run(context) {
      const { id } = checked(
        TenantIdParams,
        { id: requiredString(context, 'tenant') },
        {
          id: '--tenant',
        },
      );
      const { keys } = await context.services();
      const list = await keys.list(id);
      const now = Date.now();
      if (context.json)
        return printJson(
          context,
          list.map((key) => toApiKeyView(key, now)),
        );
      context.io.stdout(
        formatTable(
          ['ID', 'NAME', 'KEY', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED'],
          list.map((key) => [
            key.id,
            key.name,
            `${key.displayPrefix}…`,
            key.scopes.join(','),
            keyState(key, now),
            key.expiresAt?.toISOString() ?? '',
            key.lastUsedAt?.toISOString() ?? '',
          ]),
        ),
      );
    },
  },
  {
    name: 'keys revoke',
    synopsis: '<keyId>',
    summary: 'revoke an API key',
    options: {},
    args: ['keyId'],
    async run(context) {
      const { keyId } = checked(KeyIdParams, { keyId: context.args[0] }, { keyId: '<keyId>' });
      const { keys } = await context.services();
      const key = await keys.revoke(keyId, CLI_ACTOR);
      if (context.json) return printJson(context, toApiKeyView(key));
      context.io.stdout(`Revoked API key ${key.id} '${key.name}' of tenant '${key.tenantId}'.\n`);
    },
  },
  {
    name: 'keys rotate',
    synopsis: '<keyId> [--grace-seconds <n>]',
    summary:
      'replace an API key; the old one works for the grace period; the new key is printed once',
    options: { 'grace-seconds': { type: 'string' } },
    args: ['keyId'],
    async run(context) {
      const { keyId } = checked(KeyIdParams, { keyId: context.args[0] }, { keyId: '<keyId>' });
      const grace = optionalString(context, 'grace-seconds');
      const dto = checked(RotateApiKeyDto, {
        grace_seconds: grace === undefined ? undefined : integer(grace),
      });
      const { keys } = await context.services();
      const rotated = await keys.rotate(keyId, dto.grace_seconds, CLI_ACTOR);
      if (context.json) {
        return printJson(context, {
          ...toApiKeyView(rotated.key),
          key: rotated.plaintext,
          warning: SHOWN_ONCE_WARNING,
          previous: toApiKeyView(rotated.previous),
        });
      }
      context.io.stdout(`${rotated.plaintext}\n`);
      const until = rotated.previous.expiresAt?.toISOString() ?? 'its own expiry';
      context.io.stderr(
        `Rotated API key ${keyId} into ${rotated.key.id}; ${keyId} keeps working until ${until}. ` +
          `${SHOWN_ONCE_WARNING}\n`,
      );
    },
  },
  {
    name: 'keys hash',
    synopsis: '< key',
    summary: 'print the SHA-256 fingerprint of a key read from stdin (the form the store keeps)',
    options: {},
    args: [],
    async run(context) {
      const key = (await context.io.readStdin()).trim();
      if (!isWellFormedKey(key)) {
        throw new CliUsageError('stdin does not hold a gateway key (gw_ + 40 lowercase hex).');
      }
      context.io.stdout(`${hashApiKey(key)}\n`);
    },
  },
  {
    name: 'db migrate',
    synopsis: '',
    summary: 'bring the database schema up to date (the gateway also does this at start-up)',
    options: {},
    args: [],
    async run(context) {
      const target = resolveDatabaseTarget(context.config().storage);
      const db = createDatabase(target);
      try {
        const applied = await migrateToLatest(db);
        const where = describeDatabaseTarget(target);
        if (context.json) return printJson(context, { database: where, applied });
        context.io.stdout(
          applied.length > 0
            ? `${where}: applied ${applied.join(', ')}.\n`
            : `${where}: the schema is current.\n`,
        );
      } finally {
        await db.destroy();
      }
    },
  },
];

function printJson(context: CommandContext, value: unknown): void {
  context.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

function optionalString(context: CommandContext, option: string): string | undefined {
  const value = context.options[option];
  return typeof value === 'string' ? value : undefined;
}

function requiredString(context: CommandContext, option: string): string {
  const value = optionalString(context, option);
  if (value === undefined) throw new CliUsageError(`--${option} is required.`);
  return value;
}

/** An integer from an option, or the text itself so validation names the option. */
function integer(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}

/**
 * Validates options with the admin API's DTOs, so both accept exactly the same values; errors
 * name the option (`--expires-at`) instead of the JSON field (`expires_at`).
 */
function checked<T extends object>(
  dto: Type<T>,
  input: Record<string, unknown>,
  names: Record<string, string> = {},
): T {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  try {
    return validateInput(dto, defined);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const param = err.param ?? '';
    const field = param.split(/[.[]/)[0] ?? param;
    const shown = names[field] ?? `--${field.replace(/_/g, '-')}`;
    const rest =
      param !== '' && err.message.startsWith(param) ? err.message.slice(param.length) : '';
    throw new CliUsageError(rest === '' ? err.message : `${shown}${rest}`);
  }
}
