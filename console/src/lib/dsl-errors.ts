import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** Where a compile error points in the DSL text: a 1-based line, when it can be found. */
export interface DslErrorPlace {
  readonly line: number | null;
  /** The key path shown beside the message, e.g. `rules › no-turbo › conditions › modle`. */
  readonly path: string;
}

/** `denylist[2]` → `denylist`, 2 */
function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      out.push(part);
      continue;
    }
    if (match[1] !== '') out.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

/**
 * Maps the admin API's `policy_invalid` error (`param` = `<rule id>.<key path>`, `rules[2].…`,
 * a top-level key, or `dsl`) to the line of the offending key, reading the DSL with the same YAML
 * library the gateway uses. A YAML syntax error is placed where the parser finds it.
 */
export function placeDslError(dsl: string, param: string | null): DslErrorPlace {
  const lines = new LineCounter();
  const document = parseDocument(dsl, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const lineAt = (offset: number) => lines.linePos(offset).line;
  const syntax = document.errors[0];
  if (syntax)
    return { line: syntax.linePos?.[0].line ?? lineAt(syntax.pos[0]), path: 'YAML syntax' };
  if (param === null || param === '' || param === 'dsl') return { line: null, path: 'policy' };

  const root = document.contents;
  const rules = isMap(root) ? root.get('rules', true) : undefined;
  let node: unknown = root;
  let rest = param;
  const shown: string[] = [];
  const indexed = /^rules\[(\d+)\](.*)$/.exec(param);
  if (indexed && isSeq(rules)) {
    node = rules.items[Number(indexed[1])];
    rest = indexed[2];
    shown.push(`rule ${Number(indexed[1]) + 1}`);
  } else if (isSeq(rules)) {
    let best: { item: unknown; id: string } | undefined;
    for (const item of rules.items) {
      const id = isMap(item) ? item.get('id') : undefined;
      if (typeof id !== 'string') continue;
      if ((param === id || param.startsWith(`${id}.`)) && id.length > (best?.id.length ?? -1))
        best = { item, id };
    }
    if (best) {
      node = best.item;
      rest = param.slice(best.id.length);
      shown.push(`rule ${best.id}`);
    }
  }
  let offset = nodeStart(node);
  for (const segment of segments(rest)) {
    if (typeof segment === 'number' && isSeq(node)) {
      node = node.items[segment];
    } else if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      offset = nodeStart(pair.key) ?? offset;
      node = pair.value;
      shown.push(String(segment));
      continue;
    } else {
      break;
    }
    shown.push(`[${segment}]`);
    offset = nodeStart(node) ?? offset;
  }
  return { line: offset === undefined ? null : lineAt(offset), path: shown.join(' › ') || param };
}

function nodeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
