import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalRecord, hmacHex, sealRecord, sha256Hex, signCheckpoint } from './audit-chain.js';
import { checkpointLine, eventLine, readJsonl, tailProblem } from './audit-jsonl.js';
import type { AuditPayload, AuditRecord } from './audit.types.js';
import { verifyAuditChain, type VerifyOptions } from './audit.verifier.js';

const SECRET = 'k3y-for-tests-0123456789abcdefghijklmnop';
const OTHER_SECRET = 'an0ther-secret-0123456789abcdefghijklmnop';
const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');

/** A chain of `payloads.length` records of one writer, sealed with `secret`. */
function chain(payloads: AuditPayload[], writer = 'w-1', secret = SECRET, from = 0): AuditRecord[] {
  const records: AuditRecord[] = [];
  let prev: string | null = null;
  payloads.forEach((payload, i) => {
    const record = sealRecord(
      {
        seq: from + i + 1,
        event_id: `00000000-0000-4000-8000-${String(from + i + 1).padStart(12, '0')}`,
        timestamp: `2026-12-07T03:00:0${i % 10}.12345${i % 10}Z`,
        writer,
        tenant: 'acme',
        key_id: null,
        event_type: 'GATEWAY_RESPONSE',
        payload,
        prev_hash: prev,
      },
      secret,
    );
    prev = record.hash;
    records.push(record);
  });
  return records;
}

const three = () => chain([{ n: 1 }, { n: 2 }, { n: 3 }]);

describe(verifyAuditChain.name, () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gw-audit-verify-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let files = 0;
  function file(lines: string[], ending = '\n'): string {
    const path = join(dir, `audit-${(files += 1)}.jsonl`);
    writeFileSync(path, lines.map((l) => `${l}${ending}`).join(''));
    return path;
  }
  const verifyFile = (path: string, options: VerifyOptions = { secret: SECRET }) =>
    verifyAuditChain(readJsonl(path), options);

  it('finds 3 events of a well-formed file a valid chain', async () => {
    const report = await verifyFile(file(three().map(eventLine)));
    expect(report).toMatchObject({
      valid: true,
      checked: 3,
      hmac_checked: true,
      writers: [{ writer: 'w-1', checked: 3, last_seq: 3, signed_through: null }],
      first_break: null,
    });
  });

  it('reports an edited payload as a hash mismatch at its seq', async () => {
    const lines = three().map(eventLine);
    lines[1] = lines[1].replace('"n":2', '"n":20');
    const report = await verifyFile(file(lines));
    expect(report.valid).toBe(false);
    expect(report.first_break).toMatchObject({ writer: 'w-1', seq: 2, reason: 'hash mismatch' });
  });

  it('reports a deleted line as a gap in seq', async () => {
    const lines = three().map(eventLine);
    lines.splice(1, 1);
    const report = await verifyFile(file(lines));
    expect(report.first_break).toMatchObject({ seq: 3, reason: 'gap in seq' });
  });

  it('reports reordered lines as a gap in seq', async () => {
    const [a, b, c] = three().map(eventLine);
    const report = await verifyFile(file([a, c, b]));
    expect(report.first_break).toMatchObject({ seq: 3, reason: 'gap in seq' });
  });

  it('reports a line forged with another secret (hash and link correct) as an hmac mismatch', async () => {
    const records = three();
    const forged = sealRecord(
      { ...records[2], seq: 4, event_id: 'forged', prev_hash: records[2].hash, payload: { n: 4 } },
      OTHER_SECRET,
    );
    const report = await verifyFile(file([...records, forged].map(eventLine)));
    expect(report.first_break).toMatchObject({ seq: 4, reason: 'hmac mismatch' });
    // Without the secret, the forgery is a well-formed link: only the HMAC tells who wrote it.
    expect((await verifyFile(file([...records, forged].map(eventLine)), {})).valid).toBe(true);
  });

  it('reports a record rewritten with a recomputed hash as a broken link at the next seq', async () => {
    const records = three();
    const edited = { ...records[1], payload: { n: 20 } };
    const rehashed = { ...edited, hash: sha256Hex(canonicalRecord(edited)) };
    const report = await verifyFile(file([records[0], rehashed, records[2]].map(eventLine)), {});
    expect(report.first_break).toMatchObject({ seq: 3, reason: 'broken link' });
  });

  it('reports a wrong secret as an hmac mismatch at seq 1', async () => {
    const report = await verifyFile(file(three().map(eventLine)), { secret: OTHER_SECRET });
    expect(report.first_break).toMatchObject({ seq: 1, reason: 'hmac mismatch' });
  });

  it('has nothing to check in an empty file', async () => {
    const report = await verifyFile(file([]));
    expect(report).toMatchObject({ valid: true, checked: 0, writers: [] });
  });

  it('tolerates CRLF line ends and blank lines', async () => {
    const lines = three().map(eventLine);
    const path = file(['', lines[0], '  ', lines[1], '', lines[2], ''], '\r\n');
    expect(await verifyFile(path)).toMatchObject({ valid: true, checked: 3 });
  });

  it('reports a line that is not a record, with its line number', async () => {
    const lines = three().map(eventLine);
    lines[1] = lines[1].slice(0, 40);
    const report = await verifyFile(file(lines));
    expect(report.first_break).toMatchObject({ reason: 'unreadable line', line: 2 });
  });

  it('reports a record line with an extra field as unreadable (it would escape the hash)', async () => {
    const lines = three().map(eventLine);
    lines[2] = lines[2].replace('{', '{"note":"added",');
    const report = await verifyFile(file(lines));
    expect(report.first_break).toMatchObject({ reason: 'unreadable line', line: 3 });
  });

  it('chains awkward payloads: unicode, control characters, keys named like the seal', async () => {
    const records = chain([
      { text: 'héllo 🌍 日本語 \u2028 \u0000\u0007\u001f "quoted" \\ back' },
      { hash: 'not-the-hash', hmac: 'x', prev_hash: 'y', seq: -1, nested: { hash: [1, 2.5, -0] } },
      { big: 1e21, small: 1e-7, neg: -12.5, list: [null, true, false, {}] },
    ]);
    const path = file(records.map(eventLine));
    expect(await verifyFile(path)).toMatchObject({ valid: true, checked: 3 });
    // The canonical form of the first is RFC 8785's: sorted keys, minimal escapes.
    expect(canonicalRecord(records[0])).toContain(
      '"payload":{"text":"héllo 🌍 日本語 \u2028 \\u0000\\u0007\\u001f \\"quoted\\" \\\\ back"}',
    );
    expect(canonicalRecord(records[2])).toContain(
      '"payload":{"big":1e+21,"list":[null,true,false,{}],"neg":-12.5,"small":1e-7}',
    );
  });

  it('keeps each writer of a shared file on its own chain', async () => {
    const a = chain([{ n: 1 }, { n: 2 }], 'a');
    const b = chain([{ n: 1 }, { n: 2 }], 'b');
    const path = file([a[0], b[0], b[1], a[1]].map(eventLine));
    const report = await verifyFile(path);
    expect(report).toMatchObject({ valid: true, checked: 4 });
    expect((await verifyFile(path, { secret: SECRET, writer: 'b' })).checked).toBe(2);
  });

  it('computes hash and hmac as contract 12 says, so openssl reproduces them', () => {
    const [record] = three();
    const canonical = canonicalRecord(record);
    expect(canonical.startsWith('{"event_id":')).toBe(true);
    expect(record.hash).toBe(sha256Hex(canonical));
    expect(record.hmac).toBe(hmacHex(SECRET, canonical));
  });

  it('seals the same with the secret as a KeyObject (as the writer holds it)', () => {
    const [record] = three();
    const { hash: _hash, hmac: _hmac, ...unsealed } = record;
    const awkward = { ...unsealed, payload: { é: '\u2028\ud83c\udf0d"\\', n: 1e21, z: -0 } };
    const sealed = sealRecord(awkward, createSecretKey(SECRET, 'utf8'));
    const canonical = canonicalRecord(awkward);
    expect(sealed).toEqual({
      ...awkward,
      hash: sha256Hex(canonical),
      hmac: hmacHex(SECRET, canonical),
    });
    expect(sealed.hmac).toBe(sealRecord(awkward, SECRET).hmac);
  });

  describe('checkpoints', () => {
    const signed = (records: AuditRecord[], at: number, key = keys.privateKey) =>
      checkpointLine(
        signCheckpoint(
          {
            writer: 'w-1',
            seq: at,
            hash: records[at - 1].hash,
            timestamp: records[at - 1].timestamp,
          },
          key,
        ),
      );
    const withPublicKey: VerifyOptions = { publicKey: keys.publicKey };

    it('verify everything up to the last checkpoint with the public key alone', async () => {
      const records = chain([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      const lines = [
        ...records.slice(0, 3).map(eventLine),
        signed(records, 3),
        eventLine(records[3]),
      ];
      const report = await verifyFile(file(lines), withPublicKey);
      expect(report).toMatchObject({
        valid: true,
        checked: 4,
        checkpoints: 1,
        hmac_checked: false,
        signatures_checked: true,
        writers: [{ writer: 'w-1', last_seq: 4, signed_through: 3 }],
      });
    });

    it('report a tampered signature', async () => {
      const records = three();
      const line = signed(records, 3).replace(
        /"signature":"(.)/,
        (_, c: string) => `"signature":"${c === 'A' ? 'B' : 'A'}`,
      );
      const report = await verifyFile(file([...records.map(eventLine), line]), withPublicKey);
      expect(report.first_break).toMatchObject({ seq: 3, reason: 'bad checkpoint signature' });
    });

    it('report a checkpoint signed by another key', async () => {
      const records = three();
      const lines = [...records.map(eventLine), signed(records, 3, otherKeys.privateKey)];
      const report = await verifyFile(file(lines), withPublicKey);
      expect(report.first_break).toMatchObject({ reason: 'bad checkpoint signature' });
    });

    it('catch a history rewritten by a holder of the secret: the signed head no longer matches', async () => {
      const records = three();
      const checkpoint = signed(records, 3);
      const rewritten = chain([{ n: 1 }, { n: 666 }, { n: 3 }]);
      const report = await verifyFile(file([...rewritten.map(eventLine), checkpoint]), {
        secret: SECRET,
        publicKey: keys.publicKey,
      });
      expect(report.first_break).toMatchObject({ seq: 3, reason: 'hash mismatch' });
    });

    it('catch events cut from the end of the chain after a checkpoint', async () => {
      const records = three();
      const lines = [eventLine(records[0]), signed(records, 3)];
      const report = await verifyFile(file(lines), withPublicKey);
      expect(report.first_break).toMatchObject({ seq: 3, reason: 'gap in seq' });
    });
  });
});

describe(tailProblem.name, () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gw-audit-tail-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('finds nothing wrong with a missing, empty or whole file (blank lines and CRLF included)', async () => {
    expect(await tailProblem(join(dir, 'absent.jsonl'))).toBeUndefined();
    expect(await tailProblem(write('empty.jsonl', ''))).toBeUndefined();
    const lines = three().map(eventLine);
    expect(
      await tailProblem(write('whole.jsonl', `${lines.join('\r\n')}\r\n\r\n`)),
    ).toBeUndefined();
  });

  it('names a torn last line, a last line that is not JSON, and an edited last line', async () => {
    const lines = three().map(eventLine);
    const torn = write('torn.jsonl', `${lines[0]}\n${lines[1].slice(0, 30)}`);
    expect(await tailProblem(torn)).toMatch(/no line break at its end/);
    const garbage = write('garbage.jsonl', `${lines[0]}\n{"seq": 2, oops\n`);
    expect(await tailProblem(garbage)).toMatch(/not an audit record: it is not valid JSON/);
    const edited = write('edited.jsonl', `${lines[0]}\n${lines[1].replace('"n":2', '"n":3')}\n`);
    expect(await tailProblem(edited)).toMatch(/does not hash to its own `hash`/);
  });

  it('reads a last line longer than one read chunk', async () => {
    const [big] = chain([{ text: 'x'.repeat(200_000) }]);
    const path = write('big.jsonl', `${eventLine(three()[0])}\n${eventLine(big)}\n`);
    expect(await tailProblem(path)).toBeUndefined();
    expect(readFileSync(path, 'utf8').length).toBeGreaterThan(200_000);
  });
});
