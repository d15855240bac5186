import { describe, expect, it } from '@jest/globals';
import { PII_TYPES, type PiiType } from '../pii.types.js';
import { compilePiiDetector } from './pii-detector.js';

const all = compilePiiDetector({ types: new Set(), customPatterns: [] });

/** What a user would see flagged in `text`: `TYPE:value`, in order. */
const found = (text: string, detector = all) =>
  detector.scan(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

describe(compilePiiDetector.name, () => {
  describe('EMAIL', () => {
    it('finds addresses with dotted domains, plus-tags and subdomains', () => {
      expect(found('Mail jane.doe+invoices@mail.example.co.uk, or ops@example.org.')).toEqual([
        'EMAIL:jane.doe+invoices@mail.example.co.uk',
        'EMAIL:ops@example.org',
      ]);
    });

    it('keeps the syntax around an address out of it', () => {
      expect(found("email='bob@example.com'")).toEqual(['EMAIL:bob@example.com']);
      expect(found('{"to":"bob@example.com"}')).toEqual(['EMAIL:bob@example.com']);
      expect(found('see..bob@example.com')).toEqual(['EMAIL:bob@example.com']);
    });

    it('ignores handles, hosts without a dotted domain and chained @', () => {
      expect(found('ping @jane, or root@localhost, or a@b@example.com')).toEqual([]);
      expect(found('@Component({ selector: "x" })')).toEqual([]);
    });
  });

  describe('PHONE_NUMBER', () => {
    it('finds US numbers with separators or parentheses, and +1', () => {
      expect(found('Call 415-555-0132, (415) 555-0132, 415.555.0132 or 1-800-555-1212.')).toEqual([
        'PHONE_NUMBER:415-555-0132',
        'PHONE_NUMBER:(415) 555-0132',
        'PHONE_NUMBER:415.555.0132',
        'PHONE_NUMBER:1-800-555-1212',
      ]);
      expect(found('Reach me on +1 (415) 555-0132.')).toEqual(['PHONE_NUMBER:+1 (415) 555-0132']);
    });

    it('finds E.164 and grouped international numbers', () => {
      expect(found('UK +44 20 7946 0958, US +14155552671.')).toEqual([
        'PHONE_NUMBER:+44 20 7946 0958',
        'PHONE_NUMBER:+14155552671',
      ]);
    });

    it('does not take a bare 10-digit run, a number inside a longer run, or too few digits', () => {
      expect(found('order 4155550132 shipped')).toEqual([]);
      expect(found('ref 12-415-555-0132 and 415-555-0132-99')).toEqual([]);
      expect(found('+1234567 is too short, +1234567890123456 too long')).toEqual([]);
    });
  });

  describe('SSN', () => {
    it('finds ddd-dd-dddd with a valid area, group and serial', () => {
      expect(found('SSN on file: 219-09-9999.')).toEqual(['SSN:219-09-9999']);
    });

    it.each(['000-12-3456', '666-12-3456', '912-34-5678', '219-00-9999', '219-09-0000'])(
      'refuses %s',
      (ssn) => expect(found(`number ${ssn} here`)).toEqual([]),
    );

    it('does not take bare 9-digit runs without the keyword', () => {
      expect(found('invoice 219099999 paid')).toEqual([]);
    });
  });

  describe('CREDIT_CARD', () => {
    it.each([
      ['Visa, spaced', '4111 1111 1111 1111'],
      ['Mastercard, dashed', '5555-5555-5555-4444'],
      ['Mastercard 2-series', '2223003122003222'],
      ['Amex, 4-6-5', '3782 822463 10005'],
      ['Discover', '6011111111111117'],
      ['JCB', '3530 1113 3330 0000'],
      ['Diners, 4-6-4', '3056 930902 5904'],
    ])('finds %s', (_what, card) => {
      expect(found(`paid with ${card}, thanks`)).toEqual([`CREDIT_CARD:${card}`]);
    });

    it('finds a card after another number and before its expiry', () => {
      expect(found('order 42 4111 1111 1111 1111 12/27')).toEqual([
        'CREDIT_CARD:4111 1111 1111 1111',
      ]);
    });

    it('refuses Luhn failures, decimals and numbers glued to words', () => {
      expect(found('card 4111 1111 1111 1112')).toEqual([]);
      expect(found('{"ratio": 0.4111111111111111}')).toEqual([]);
      expect(found('id x4111111111111111 and 4111111111111111abc')).toEqual([]);
    });
  });

  describe('IBAN', () => {
    it('finds IBANs printed in fours or written whole', () => {
      expect(found('IBAN GB82 WEST 1234 5698 7654 32 and DE89370400440532013000.')).toEqual([
        'IBAN:GB82 WEST 1234 5698 7654 32',
        'IBAN:DE89370400440532013000',
      ]);
      expect(found('FR1420041010050500013M02606')).toEqual(['IBAN:FR1420041010050500013M02606']);
    });

    it('refuses one digit changed and the wrong length', () => {
      expect(found('GB82 WEST 1234 5698 7654 33')).toEqual([]);
      expect(found('GB82WEST123456987654321')).toEqual([]);
    });

    it('reports a Luhn-valid card number inside an IBAN once, as the IBAN', () => {
      // DE89 4111 1111 1111 1111 11 is a valid IBAN whose middle is the Visa test number.
      expect(found('Pay DE89 4111 1111 1111 1111 11 today')).toEqual([
        'IBAN:DE89 4111 1111 1111 1111 11',
      ]);
    });
  });

  describe('IP_ADDRESS', () => {
    it('finds IPv4, with a port or at the end of a sentence', () => {
      expect(found('hosts 10.0.0.1:8080 and 203.0.113.42.')).toEqual([
        'IP_ADDRESS:10.0.0.1',
        'IP_ADDRESS:203.0.113.42',
      ]);
    });

    it('refuses octets over 255 and version strings', () => {
      expect(found('bad 256.1.1.1, version 1.2.3.4.5, v1.2.3.4, pi 3.14159')).toEqual([]);
    });

    it('finds IPv6 forms, compressed and with an embedded IPv4', () => {
      expect(
        found('at 2001:db8::8a2e:370:7334, [fe80::1ff:fe23:4567:890a]:443, ::ffff:192.0.2.128'),
      ).toEqual([
        'IP_ADDRESS:2001:db8::8a2e:370:7334',
        'IP_ADDRESS:fe80::1ff:fe23:4567:890a',
        'IP_ADDRESS:::ffff:192.0.2.128',
      ]);
    });

    it('does not take times, MAC addresses or C++ scopes', () => {
      expect(found('at 12:30:45, mac 00:1a:2b:3c:4d:5e, std::vector, a::b, x[1::2]')).toEqual([]);
    });
  });

  describe('AADHAAR', () => {
    it('finds 4-4-4 and 12-digit forms with a Verhoeff check digit', () => {
      expect(found('Aadhaar 2345 6789 0124, or 491827364507.')).toEqual([
        'AADHAAR:2345 6789 0124',
        'AADHAAR:491827364507',
      ]);
    });

    it('refuses a wrong check digit and a leading 1', () => {
      expect(found('Aadhaar 2345 6789 0125 or 1345 6789 0124')).toEqual([]);
    });
  });

  describe('DEA_NUMBER and PAN', () => {
    it('finds DEA numbers with a valid checksum, and PANs with a holder type', () => {
      expect(found('DEA AB1234563, PAN ABCPE1234F')).toEqual([
        'DEA_NUMBER:AB1234563',
        'PAN:ABCPE1234F',
      ]);
    });

    it('refuses a DEA checksum failure and a PAN with no holder type', () => {
      expect(found('DEA AB1234564, PAN ABCXE1234F, XAB1234563')).toEqual([]);
    });
  });

  describe('types', () => {
    it('reports only the configured types', () => {
      const emailOnly = compilePiiDetector({ types: new Set(['EMAIL']), customPatterns: [] });
      expect(found('bob@example.com 219-09-9999 4111 1111 1111 1111', emailOnly)).toEqual([
        'EMAIL:bob@example.com',
      ]);
    });

    it('reports the card inside an IBAN when IBAN is not configured', () => {
      const cards = compilePiiDetector({ types: new Set(['CREDIT_CARD']), customPatterns: [] });
      expect(found('DE89 4111 1111 1111 1111 11', cards)).toEqual([
        'CREDIT_CARD:4111 1111 1111 1111',
      ]);
    });

    it('finds each type when it is the only one configured', () => {
      const samples: Record<PiiType, string> = {
        EMAIL: 'bob@example.com',
        PHONE_NUMBER: '415-555-0132',
        SSN: '219-09-9999',
        CREDIT_CARD: '4111111111111111',
        IBAN: 'GB82WEST12345698765432',
        IP_ADDRESS: '203.0.113.42',
        DATE_OF_BIRTH: 'DOB 1990-04-12',
        PASSPORT_NUMBER: 'passport 912803456',
        DRIVERS_LICENSE: 'DL D1234567',
        MEDICAL_RECORD_NUMBER: 'MRN 00123456',
        DEA_NUMBER: 'AB1234563',
        NPI_NUMBER: 'NPI 1234567893',
        AADHAAR: '2345 6789 0124',
        PAN: 'ABCPE1234F',
        PERSON_NAME: 'Ms. Ada Lovelace',
        SECRET: 'AKIAIOSFODNN7EXAMPLE',
        CUSTOM: 'EMP-004211',
      };
      const text = Object.values(samples).join(' ; ');
      for (const type of PII_TYPES) {
        const detector = compilePiiDetector({
          types: new Set([type]),
          customPatterns: [{ label: 'employee_id', source: 'EMP-\\d{6}' }],
        });
        expect(detector.scan(text).map((f) => f.type)).toEqual([type]);
      }
    });
  });

  it('returns findings sorted by start, never overlapping, the same for the same text', () => {
    const text =
      'Dr. Ann Lee (ann@example.com, 415-555-0132) paid 4111 1111 1111 1111 from 10.0.0.1.';
    const first = all.scan(text);
    expect(all.scan(text)).toEqual(first);
    for (let i = 1; i < first.length; i++)
      expect(first[i].start).toBeGreaterThanOrEqual(first[i - 1].end);
    expect(first.map((f) => f.type)).toEqual([
      'PERSON_NAME',
      'EMAIL',
      'PHONE_NUMBER',
      'CREDIT_CARD',
      'IP_ADDRESS',
    ]);
  });
});
