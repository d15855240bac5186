import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';

/** Tags one call may carry, both sources together. */
export const MAX_COST_TAGS = 16;
const NAME = /^[A-Za-z0-9_.:/-]{1,64}$/;
/** Visible ASCII but the separators, at most 128 characters. */
const VALUE = /^[\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,128}$/;
/** What is read of a tag list at all: anything longer is refused before it is split. */
const MAX_TEXT = MAX_COST_TAGS * (64 + 1 + 128 + 1);

/**
 * The cost tags of a call (contract 11.1): `X-Dvara-Tags: team=search,feature=autocomplete` and
 * `metadata.tags` in the same form, merged (the header wins on a repeated name), as sorted
 * `name=value` strings. Bounded, so a tag list cannot bloat every usage record it lands in.
 * @throws GatewayError `validation_error` naming the header or field, with the rule broken
 */
export function costTags(
  header: string | string[] | undefined,
  metadata: string | undefined,
): string[] {
  const tags = new Map<string, string>();
  if (metadata !== undefined) parseInto(tags, metadata, 'metadata.tags');
  if (header !== undefined) {
    parseInto(tags, Array.isArray(header) ? header.join(',') : header, 'X-Dvara-Tags');
  }
  return [...tags.entries()].map(([name, value]) => `${name}=${value}`).sort();
}

function parseInto(tags: Map<string, string>, text: string, param: string): void {
  if (text.length > MAX_TEXT) {
    throw invalid(param, `is longer than ${MAX_TEXT} characters`);
  }
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const at = entry.indexOf('=');
    if (at <= 0) throw invalid(param, `has '${clip(entry)}', which is not name=value`);
    const name = entry.slice(0, at).trim();
    const value = entry.slice(at + 1).trim();
    if (!NAME.test(name)) {
      throw invalid(
        param,
        `has the tag name '${clip(name)}': use letters, digits and _ . : / - (at most 64)`,
      );
    }
    if (!VALUE.test(value)) {
      throw invalid(
        param,
        `has a value for '${name}' that is empty, longer than 128 characters or not visible ASCII`,
      );
    }
    tags.set(name, value);
    if (tags.size > MAX_COST_TAGS) throw invalid(param, `has more than ${MAX_COST_TAGS} tags`);
  }
}

function invalid(param: string, problem: string): GatewayError {
  return new GatewayError(ErrorCode.ValidationError, `${param} ${problem}.`, { param });
}

function clip(text: string): string {
  const visible = text.replace(/[^\x20-\x7e]/g, '?');
  return visible.length > 40 ? `${visible.slice(0, 40)}...` : visible;
}
