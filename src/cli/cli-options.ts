import type { Type } from '@nestjs/common';
import { validateInput } from '../admin/admin-input.pipe.js';
import type { AdminActor } from '../admin/admin-events.service.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { CommandContext } from './cli-command.types.js';
import { CliUsageError } from './cli-usage.error.js';

export const CLI_ACTOR: AdminActor = { via: 'cli' };

export function printJson(context: CommandContext, value: unknown): void {
  context.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

export function optionalString(context: CommandContext, option: string): string | undefined {
  const value = context.options[option];
  return typeof value === 'string' ? value : undefined;
}

export function requiredString(context: CommandContext, option: string): string {
  const value = optionalString(context, option);
  if (value === undefined) throw new CliUsageError(`--${option} is required.`);
  return value;
}

/** An integer from an option, or the text itself so validation names the option. */
export function integer(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}

/**
 * Validates options with the admin API's DTOs, so both accept exactly the same values; errors
 * name the option (`--expires-at`) instead of the JSON field (`expires_at`).
 */
export function checked<T extends object>(
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
