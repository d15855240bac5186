import { keyState, toApiKeyView, toNewTenant, toTenantView } from '../admin/admin-view.mapper.js';
import { CreateApiKeyDto } from '../admin/dto/create-api-key.dto.js';
import { CreateTenantDto } from '../admin/dto/create-tenant.dto.js';
import { SHOWN_ONCE_WARNING } from '../admin/dto/issued-api-key.view.js';
import { KeyIdParams } from '../admin/dto/key-id.params.js';
import { MAX_PAGE_SIZE } from '../admin/dto/list-tenants.query.js';
import { RotateApiKeyDto } from '../admin/dto/rotate-api-key.dto.js';
import { TenantIdParams } from '../admin/dto/tenant-id.params.js';
import { hashApiKey, isWellFormedKey } from '../governance/auth/api-key.secret.js';
import type { Tenant } from '../storage/tenant.types.js';
import { describeDatabaseTarget, resolveDatabaseTarget } from '../storage/database-target.js';
import { createDatabase } from '../storage/database.factory.js';
import { warnStorage } from '../storage/storage.logger.js';
import { migrateToLatest } from '../storage/database.migrator.js';
import type { CliCommand } from './cli-command.types.js';
import {
  checked,
  CLI_ACTOR,
  integer,
  optionalString,
  printJson,
  requiredString,
} from './cli-options.js';
import { AUDIT_COMMANDS } from './cli-audit-commands.js';
import { METERING_COMMANDS } from './cli-metering-commands.js';
import { POLICY_COMMANDS } from './cli-policy-commands.js';
import { formatTable } from './cli-table.js';
import { CliUsageError } from './cli-usage.error.js';

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
  ...POLICY_COMMANDS,
  ...AUDIT_COMMANDS,
  ...METERING_COMMANDS,
  {
    name: 'db migrate',
    synopsis: '',
    summary: 'bring the database schema up to date (the gateway also does this at start-up)',
    options: {},
    args: [],
    async run(context) {
      const target = resolveDatabaseTarget(context.config().storage);
      const db = createDatabase(target, warnStorage);
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
