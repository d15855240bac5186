import { describe, expect, it } from '@jest/globals';
import { compilePiiDetector } from './pii-detector.js';

const all = compilePiiDetector({ types: new Set(), customPatterns: [] });
const found = (text: string) =>
  all.scan(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

/**
 * Inputs that make backtracking regexes take quadratic or exponential time. Each must complete
 * with sane results; their time at full size (20 MiB) is measured by bench/pii-scan.mjs, not
 * asserted here.
 */
describe(`${compilePiiDetector.name}: hostile input`, () => {
  const MiB = 1024 * 1024;

  it('reads a long digit run as one number, not as cards, phones or Aadhaar inside it', () => {
    expect(found('7'.repeat(MiB))).toEqual([]);
    expect(found(`${'7'.repeat(MiB)} then 4111 1111 1111 1111`)).toEqual([
      'CREDIT_CARD:4111 1111 1111 1111',
    ]);
  });

  it('survives a million letters before a bang, and a million @', () => {
    expect(found(`${'a'.repeat(1_000_000)}!`)).toEqual([]);
    expect(found('@'.repeat(1_000_000))).toEqual([]);
  });

  it('finds no address inside a long dotted run, and still finds one after it', () => {
    expect(found('1.'.repeat(MiB / 2))).toEqual([]);
    expect(found(`${'1.1.'.repeat(MiB / 4)} 10.0.0.1`)).toEqual(['IP_ADDRESS:10.0.0.1']);
  });

  it('finds no email in aaaa@aaaa@... and no IPv6 in 1:1:1:...', () => {
    expect(found('aaaa@'.repeat(MiB / 5))).toEqual([]);
    expect(found('1:'.repeat(MiB / 2))).toEqual([]);
  });

  it('redacts a PEM header without END up to the end of its base64, bounded', () => {
    const text = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(MiB)}`;
    const [finding, ...rest] = all.scan(text);
    expect(rest).toEqual([]);
    expect(finding.type).toBe('SECRET');
    expect(finding.start).toBe(0);
    expect(finding.end).toBeLessThan(text.length); // the body read is capped (64 KiB)
  });

  it('searches once for an END that many BEGINs lack', () => {
    const text = '-----BEGIN PRIVATE KEY-----\n'.repeat(20_000);
    expect(all.scan(text).length).toBe(20_000);
  });

  it('reads repeated keywords and spaced digit groups in linear time', () => {
    expect(found('secret='.repeat(100_000))).toEqual([]);
    expect(found('born '.repeat(100_000))).toEqual([]);
    expect(found('111 '.repeat(200_000))).toEqual([]);
  });

  it('does not throw on lone surrogates, and reports UTF-16 offsets around astral characters', () => {
    expect(() => all.scan('\ud800 bob@example.com \udc00 Dr. \ud83d')).not.toThrow();
    const text = '😀 bob@example.com \ud800 Dr. Ana Souza';
    expect(found(text)).toEqual(['EMAIL:bob@example.com', 'PERSON_NAME:Ana Souza']);
  });
});
