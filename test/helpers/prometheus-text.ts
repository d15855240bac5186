/** One sample of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape, parsed: every sample, and the `# TYPE` of every metric family. */
export interface Scrape {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

/**
 * Parses the text format (version 0.0.4) strictly: a line that is not a comment, blank or a
 * well-formed sample fails the test rather than being skipped.
 */
export function parsePrometheusText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1], type[2]);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.push({
      name: match[1],
      labels: parseLabels(match[2] ?? '', line),
      value: parseValue(match[3]),
    });
  }
  return { samples, types };
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match || LABEL.lastIndex === start) throw new Error(`bad labels in: ${line}`);
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string): number {
  // Prometheus reads these case-insensitively (Go's ParseFloat); prom-client writes `Nan`.
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad sample value: ${text}`);
  return value;
}

/** The samples of `name` whose labels include every one of `labels`. */
export function samplesOf(
  scrape: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return scrape.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The sum of the matching samples (0 when none match). */
export function sumOf(
  scrape: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samplesOf(scrape, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** The value of the one sample with exactly these labels; fails when there is not exactly one. */
export function valueOf(
  scrape: Scrape,
  name: string,
  labels: Readonly<Record<string, string>>,
): number {
  const found = scrape.samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${name}${JSON.stringify(labels)}, found ${found.length}:\n${scrape.samples
        .filter((s) => s.name === name)
        .map((s) => JSON.stringify(s.labels) + ' ' + s.value)
        .join('\n')}`,
    );
  }
  return found[0].value;
}
