import { describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import { AUDIT_RECORD_FIELDS, type AuditPayload, type UnsealedAuditRecord } from './audit.types.js';
import { canonicalRecord, payloadJson, sealRecord } from './audit-chain.js';

const SECRET = 'audit-chain-spec-secret-0123456789abcdefgh';

const record = (
  payload: AuditPayload,
  extra: Partial<UnsealedAuditRecord> = {},
): UnsealedAuditRecord => ({
  seq: 7,
  event_id: 'evt-1',
  timestamp: '2026-12-07T03:04:05.123456Z',
  writer: 'gw-1',
  tenant: 'acme',
  key_id: 'key-1',
  event_type: 'GATEWAY_RESPONSE',
  payload,
  prev_hash: 'ab'.repeat(32),
  ...extra,
});

/** Payloads and fields built to confuse a search for the payload inside the record's text. */
const AWKWARD: Array<[string, UnsealedAuditRecord]> = [
  ['an empty payload', record({})],
  ['a typical one', record({ trace_id: 't-1', status: 200, tags: { team: 'a' }, cost: 1e-7 })],
  [
    'keys named like the record fields, nested and not',
    record({
      payload: { prev_hash: 'x', payload: {} },
      prev_hash: null,
      hash: 'h',
      hmac: 'm',
      z: [{ prev_hash: 1 }, ',"prev_hash":'],
    }),
  ],
  [
    'strings holding the markers, quotes and escapes',
    record(
      { a: ',"payload":{', b: '","prev_hash":"', c: '\\",\\"prev_hash\\":' },
      { tenant: ',"prev_hash":"t"', key_id: ',"payload":', event_id: '"payload"' },
    ),
  ],
  [
    'unicode, control characters and numbers JCS writes its own way',
    record({ 'é🌍': '\u0000\u001f\u2028', n: [1e21, 0.1, -0, 5e-324], '\u0001': true }),
  ],
  [
    'a null tenant, key and previous hash',
    record({ k: null }, { tenant: null, key_id: null, prev_hash: null }),
  ],
];

describe('audit chain: the payload text a store keeps', () => {
  it.each(AWKWARD)('is the JCS text of the payload, cut from the record: %s', (_name, unsealed) => {
    const sealed = sealRecord(unsealed, SECRET);
    expect(payloadJson(sealed)).toBe(canonicalize(unsealed.payload));
    expect(JSON.parse(payloadJson(sealed))).toEqual(JSON.parse(JSON.stringify(unsealed.payload)));
  });

  it('is the same for a record that crossed threads (structured clone drops the cached text)', () => {
    for (const [, unsealed] of AWKWARD) {
      const crossed = structuredClone(sealRecord(unsealed, SECRET));
      expect(payloadJson(crossed)).toBe(canonicalize(unsealed.payload));
    }
  });

  it('adds nothing a written record would carry: JSON, JCS, spreads and clones see its fields', () => {
    const sealed = sealRecord(AWKWARD[1][1], SECRET);
    const fields = [...AUDIT_RECORD_FIELDS].sort();
    expect(sealed).toEqual({ ...sealed });
    expect(Reflect.ownKeys({ ...sealed }).sort()).toEqual(fields);
    expect(payloadJson({ ...sealed })).toBe(payloadJson(sealed));
    expect(Object.keys(JSON.parse(JSON.stringify(sealed))).sort()).toEqual(fields);
    expect(Object.keys(JSON.parse(canonicalize(sealed) as string)).sort()).toEqual(fields);
    expect(Object.keys(structuredClone(sealed)).sort()).toEqual(fields);
    // The seal still covers exactly the unsealed record's canonical text.
    expect(canonicalRecord(sealed)).toBe(canonicalRecord(AWKWARD[1][1]));
  });
});
