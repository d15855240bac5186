import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ListPoliciesQuery } from '../admin/dto/list-policies.query.js';
import { PolicyDryRunDto } from '../admin/dto/policy-dry-run.dto.js';
import { PolicyIdParams } from '../admin/dto/policy-id.params.js';
import { toPolicyView } from '../admin/policy-view.mapper.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { DryRunAnswer } from '../governance/policy/policy-dry-run.service.js';
import type { PolicyEntry, StoredPolicy } from '../governance/policy/policy.types.js';
import type { CliCommand } from './cli-command.types.js';
import { checked, CLI_ACTOR, optionalString, printJson, requiredString } from './cli-options.js';
import { formatTable } from './cli-table.js';

/**
 * `gateway policies ...` (contract 10): the admin API's policy operations on the database
 * directly. Writes advance the stored policy version, which every running gateway polls (and,
 * with Redis, are announced at once), so no restart is needed.
 */
export const POLICY_COMMANDS: readonly CliCommand[] = [
  {
    name: 'policies list',
    synopsis: '[--tenant <id>]',
    summary:
      "list policies from configuration, the bootstrap file and the API (--tenant: only that tenant's own)",
    options: { tenant: { type: 'string' } },
    args: [],
    async run(context) {
      const { tenant } = checked(ListPoliciesQuery, { tenant: optionalString(context, 'tenant') });
      const { policies } = await context.services();
      const all = await policies.list(tenant);
      if (context.json) return printJson(context, all.map(toPolicyView));
      context.io.stdout(
        formatTable(
          ['ID', 'TENANT', 'STATUS', 'SOURCE', 'READ-ONLY', 'UPDATED'],
          all.map((p) => {
            const view = toPolicyView(p);
            return [
              p.id,
              tenantOf(p),
              p.status,
              p.source,
              view.read_only ? 'yes' : 'no',
              view.updated_at,
            ];
          }),
        ),
      );
    },
  },
  {
    name: 'policies get',
    synopsis: '<id>',
    summary: 'show a policy and its DSL',
    options: {},
    args: ['id'],
    async run(context) {
      const { id } = checked(PolicyIdParams, { id: context.args[0] }, { id: '<id>' });
      const { policies } = await context.services();
      const policy = await policies.get(id);
      const view = toPolicyView(policy);
      if (context.json) return printJson(context, view);
      context.io.stdout(
        [
          `id:       ${policy.id}`,
          `tenant:   ${tenantOf(policy)}`,
          `status:   ${policy.status}`,
          `source:   ${policy.source}${view.read_only ? ' (read-only)' : ''}`,
          `created:  ${view.created_at}`,
          `updated:  ${view.updated_at}`,
          '',
          policy.dsl.trimEnd(),
          '',
        ].join('\n'),
      );
    },
  },
  {
    name: 'policies apply',
    synopsis: '-f <file>',
    summary:
      'create or replace policies by id from a YAML or JSON file (one entry, a list, or {policies: [...]})',
    options: { file: { type: 'string', short: 'f' } },
    args: [],
    async run(context) {
      const file = requiredString(context, 'file');
      const raws = policyEntries(file, readDocument(file));
      const { policies } = await context.services();
      const seen = new Set<string>();
      const entries: PolicyEntry[] = raws.map(({ raw, where }) => {
        const id = (raw as Record<string, unknown>).id;
        if (typeof id !== 'string' || id === '') {
          throw new Error(`${where} has no id; apply creates or replaces policies by id.`);
        }
        if (seen.has(id)) throw new Error(`${where}: policy '${id}' is listed twice.`);
        seen.add(id);
        try {
          return policies.check(raw);
        } catch (err) {
          if (!(err instanceof GatewayError && err.code === ErrorCode.PolicyInvalid)) throw err;
          throw new Error(`${where} (policy '${id}') at ${err.param ?? 'dsl'}: ${err.message}`, {
            cause: err,
          });
        }
      });
      const applied = await policies.apply(entries, CLI_ACTOR);
      if (context.json) {
        return printJson(
          context,
          applied.map(({ outcome, policy }) => ({ result: outcome, policy: toPolicyView(policy) })),
        );
      }
      const verbs = { created: 'Created', updated: 'Updated', unchanged: 'Unchanged' } as const;
      context.io.stdout(
        applied
          .map(
            ({ outcome, policy }) =>
              `${verbs[outcome]} policy '${policy.id}' (${tenantOf(policy)}, ${policy.status}).\n`,
          )
          .join(''),
      );
    },
  },
  {
    name: 'policies delete',
    synopsis: '<id>',
    summary: 'delete a policy written through the API or the CLI',
    options: {},
    args: ['id'],
    async run(context) {
      const { id } = checked(PolicyIdParams, { id: context.args[0] }, { id: '<id>' });
      const { policies } = await context.services();
      await policies.delete(id, CLI_ACTOR);
      if (context.json) return printJson(context, { object: 'policy', id, deleted: true });
      context.io.stdout(`Deleted policy '${id}'.\n`);
    },
  },
  {
    name: 'policies dry-run',
    synopsis: '-f <request.json> [--tenant <id>] [--dsl-file <file>]',
    summary:
      'what the policies in force (or a draft DSL) would decide for a sample chat request; no provider is called',
    options: {
      file: { type: 'string', short: 'f' },
      tenant: { type: 'string' },
      'dsl-file': { type: 'string' },
    },
    args: [],
    async run(context) {
      const file = requiredString(context, 'file');
      const dslFile = optionalString(context, 'dsl-file');
      const input = checked(
        PolicyDryRunDto,
        {
          request: readDocument(file),
          tenant: optionalString(context, 'tenant'),
          dsl: dslFile === undefined ? undefined : readText(dslFile),
        },
        { request: `${file}:`, dsl: '--dsl-file' },
      );
      const { dryRun } = await context.services();
      const answer = await dryRun.run({
        request: input.request,
        tenant: input.tenant,
        dsl: input.dsl,
      });
      if (context.json) return printJson(context, answer);
      context.io.stdout(describeAnswer(answer));
    },
  },
];

function tenantOf(policy: StoredPolicy): string {
  return policy.tenant ?? '(global)';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      {
        cause: err,
      },
    );
  }
}

/** A YAML or JSON file (JSON is YAML), as plain data. */
function readDocument(file: string): unknown {
  const doc = parseDocument(readText(file), { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new Error(
      `${file}: invalid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}`,
    );
  }
  if (doc.contents === null) throw new Error(`${file} is empty.`);
  return doc.toJS() as unknown;
}

/** One entry (a mapping with `dsl`), a list of entries, or `{policies: [...]}`. */
function policyEntries(file: string, document: unknown): { raw: unknown; where: string }[] {
  const list = (items: unknown[], prefix: string) =>
    items.map((raw, i) => {
      const where = `${file} ${prefix}[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new Error(
          `${where} is not a policy entry (a mapping of id, tenant, status and dsl).`,
        );
      }
      return { raw, where };
    });
  if (Array.isArray(document)) return nonEmpty(file, list(document, ''));
  if (typeof document === 'object' && document !== null) {
    const mapping = document as Record<string, unknown>;
    if ('policies' in mapping && !('dsl' in mapping)) {
      const extra = Object.keys(mapping).find((key) => key !== 'policies');
      if (extra !== undefined)
        throw new Error(`${file}: unknown field '${extra}' beside policies.`);
      if (!Array.isArray(mapping.policies)) throw new Error(`${file}: policies must be a list.`);
      return nonEmpty(file, list(mapping.policies, 'policies'));
    }
    return [{ raw: mapping, where: file }];
  }
  throw new Error(
    `${file} must hold a policy entry, a list of them, or {policies: [...]}; it holds ${typeof document}.`,
  );
}

function nonEmpty<T>(file: string, items: T[]): T[] {
  if (items.length === 0) throw new Error(`${file} holds no policy.`);
  return items;
}

function describeAnswer(answer: DryRunAnswer): string {
  const lines = [`Decision: ${answer.decision}`];
  if (answer.message !== null) lines.push(`Message:  ${answer.message}`);
  if (answer.route_to !== null) {
    const model = answer.route_to.model === undefined ? '' : ` (model ${answer.route_to.model})`;
    lines.push(`Route to: ${answer.route_to.provider}${model}`);
  }
  for (const warning of answer.warnings) lines.push(`Warning:  ${warning}`);
  if (answer.matched.length > 0) {
    lines.push(
      '',
      formatTable(
        ['POLICY', 'RULE', 'ACTION'],
        answer.matched.map((m) => [m.policy_id, m.rule_id, m.action]),
      ).trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}
