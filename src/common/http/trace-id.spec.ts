import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { timeOrderedUuid, traceIdFor } from './trace-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const request = (headers: Record<string, string | string[]>) =>
  ({ headers }) as unknown as IncomingMessage;

/** The Unix milliseconds a v7 UUID carries in its first 48 bits. */
const msOf = (uuid: string) => parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);

describe('trace ids', () => {
  it('mints RFC 9562 version 7 UUIDs that carry the time they were made', () => {
    const before = Date.now();
    const id = timeOrderedUuid();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(after);
    expect(msOf(timeOrderedUuid(Date.UTC(2026, 11, 7, 3, 4, 5, 678)))).toBe(
      Date.UTC(2026, 11, 7, 3, 4, 5, 678),
    );
  });

  it('sorts ids of later milliseconds after earlier ones, as text and as bytes', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = [0, 1, 2, 255, 256, 65_536, 86_400_000].map((d) => timeOrderedUuid(start + d));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps ids of the same millisecond apart by their 74 random bits', () => {
    const at = Date.UTC(2026, 5, 1);
    const ids = Array.from({ length: 20_000 }, () => timeOrderedUuid(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(UUID_V7);
      expect(msOf(id)).toBe(at);
    }
    // The random part is not constant: every hex digit after the version takes many values.
    const digits = new Set(ids.map((id) => id.slice(15, 18)));
    expect(digits.size).toBeGreaterThan(1_000);
  });

  it("answers with the caller's well-formed X-Trace-ID and mints one otherwise", () => {
    expect(traceIdFor(request({ 'x-trace-id': 'client-trace.42:a_b' }))).toBe(
      'client-trace.42:a_b',
    );
    for (const bad of ['', 'has space', 'x'.repeat(129), 'semi;colon']) {
      expect(traceIdFor(request({ 'x-trace-id': bad }))).toMatch(UUID_V7);
    }
    expect(traceIdFor(request({ 'x-trace-id': ['a', 'b'] }))).toMatch(UUID_V7);
    expect(traceIdFor(request({}))).toMatch(UUID_V7);
  });
});
