/**
 * Spring-style `${VAR:default}` interpolation, applied to every string scalar of every layer.
 * `${VAR}` with no default and no value resolves to an empty string; defaults may nest
 * (`${A:${B:x}}`). `\${` escapes a literal `${`.
 */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export function interpolate(value: string, env: EnvSource): string {
  if (!value.includes('${')) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('\\${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (value.startsWith('${', i)) {
      const end = matchingBrace(value, i + 2);
      if (end === -1) {
        out += value.slice(i);
        break;
      }
      out += resolvePlaceholder(value.slice(i + 2, end), env);
      i = end + 1;
      continue;
    }
    out += value[i];
    i += 1;
  }
  return out;
}

function matchingBrace(value: string, from: number): number {
  let depth = 1;
  for (let j = from; j < value.length; j++) {
    if (value.startsWith('${', j)) {
      depth += 1;
      j += 1;
    } else if (value[j] === '}') {
      depth -= 1;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function resolvePlaceholder(body: string, env: EnvSource): string {
  const colon = body.indexOf(':');
  const name = (colon === -1 ? body : body.slice(0, colon)).trim();
  const fallback = colon === -1 ? '' : body.slice(colon + 1);
  const fromEnv = env[name];
  if (fromEnv !== undefined) return fromEnv;
  return interpolate(fallback, env);
}
