/**
 * Contract 4.6: a non-canonical `/v1` path (`%` escapes, `;`, `\`, `//`, `.` or `..` segments) is
 * refused before routing, so no two spellings can reach one route past a path-based rule.
 * Returns what is wrong, or undefined when the path is canonical or not an API path.
 */
const SUSPICIOUS = /[%;\\]|\/\/|\/\.|^[^/]/;

export function nonCanonicalReason(url: string): string | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // Runs on every request: most paths have nothing that could make them non-canonical.
  if (!SUSPICIOUS.test(path)) return undefined;
  // `//v1/...`, `/./v1/...`, `/%2e/v1` are /v1 paths in disguise: judge them too.
  const stripped = path.replace(/^(?:[/\\.;]|%2f|%5c|%2e)+/i, '');
  if (!/^v1(?:[/\\;%]|$)/i.test(stripped)) return undefined;
  if (path.includes('%') && !isEncodedModelId(path)) return 'percent-escapes';
  if (path.includes(';')) return "';'";
  if (path.includes('\\')) return "'\\'";
  if (path.includes('//')) return 'empty segments';
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return "'.' or '..' segments";
  }
  return undefined;
}

/**
 * The one escape allowed: `GET /v1/models/{id}` where the id's own `/` is sent as `%2F`, as the
 * official OpenAI SDKs encode path parameters (`models.retrieve('mock/fast')`). The id is opaque,
 * so decoding it cannot reach another route.
 */
function isEncodedModelId(path: string): boolean {
  const prefix = '/v1/models/';
  if (!path.startsWith(prefix)) return false;
  const id = path.slice(prefix.length);
  return !id.includes('/') && id.replace(/%2f/gi, '').indexOf('%') === -1;
}
