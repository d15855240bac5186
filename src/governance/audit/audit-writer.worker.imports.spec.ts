import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The packages a module loads at run time, following its relative imports: `import type` and
 * `export type` vanish at compile time and are skipped; dynamic `import()`s count.
 */
function runtimePackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^import (?!type\b)(?:[^'"]*? from )?'([^']+)'/gm),
      ...source.matchAll(/^export (?!type\b)[^'"]*? from '([^']+)'/gm),
      ...source.matchAll(/\bimport\('([^']+)'\)/g),
    ].map((match) => match[1]);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      } else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
      }
    }
  }
  return packages;
}

describe('the audit worker thread', () => {
  it('loads no Nest package: its logger alone would cost the thread about 18 MB of heap', () => {
    const packages = runtimePackages(
      fileURLToPath(new URL('./audit-writer.worker.ts', import.meta.url)),
    );
    expect([...packages].filter((name) => name.startsWith('@nestjs/'))).toEqual([]);
    expect(packages).not.toContain('reflect-metadata');
    // The walk does reach the worker's real dependencies.
    expect(['kysely', 'canonicalize'].filter((name) => !packages.has(name))).toEqual([]);
  });
});
