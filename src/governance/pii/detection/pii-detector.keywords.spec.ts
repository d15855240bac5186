import { describe, expect, it } from '@jest/globals';
import { compilePiiDetector } from './pii-detector.js';

const all = compilePiiDetector({ types: new Set(), customPatterns: [] });

/** What a user would see flagged in `text`: `TYPE:value`, in order. */
const found = (text: string) =>
  all.scan(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

describe(`${compilePiiDetector.name}: keyword-anchored types`, () => {
  describe('DATE_OF_BIRTH', () => {
    it.each([
      ['DOB: 03/15/1985', '03/15/1985'],
      ['born on 15.03.1985 in Lyon', '15.03.1985'],
      ['Date of birth - 1985-03-15', '1985-03-15'],
      ['"birthdate": "1985-03-15"', '1985-03-15'],
      ['d.o.b. 2/29/2000', '2/29/2000'],
    ])('finds the date in %j, not the keyword', (text, date) => {
      expect(found(text)).toEqual([`DATE_OF_BIRTH:${date}`]);
    });

    it.each([
      ['a date that does not exist', 'DOB 02/30/1990'],
      ['Feb 29 in a year that is not leap', 'born 29.02.1900'],
      ['a 13th month', 'birth date 1990-13-01'],
      ['a date too far after the keyword', `born ${'x'.repeat(31)} 03/15/1985`],
      ['a date without a birth keyword', 'invoice of 03/15/1985'],
      ['a keyword inside another word', 'unborn 03/15/1985'],
    ])('ignores %s', (_what, text) => {
      expect(found(text)).toEqual([]);
    });
  });

  describe('PASSPORT_NUMBER, DRIVERS_LICENSE, MEDICAL_RECORD_NUMBER', () => {
    it('finds the value after its keyword and filler words', () => {
      expect(found('Passport No. 912803456; passport: X12345678')).toEqual([
        'PASSPORT_NUMBER:912803456',
        'PASSPORT_NUMBER:X12345678',
      ]);
      expect(found("driver's license number: D123-4567-8901, DL# S5304823")).toEqual([
        'DRIVERS_LICENSE:D123-4567-8901',
        'DRIVERS_LICENSE:S5304823',
      ]);
      expect(found('MRN: 00123456, medical record # MR-2024-0042')).toEqual([
        'MEDICAL_RECORD_NUMBER:00123456',
        'MEDICAL_RECORD_NUMBER:MR-2024-0042',
      ]);
    });

    it('ignores the same values without a keyword, and keywords without a value', () => {
      expect(found('reference 912803456 and code S5304823')).toEqual([]);
      expect(found('passport photos, a dl link, handle the MRN later')).toEqual([]);
    });
  });

  describe('NPI_NUMBER', () => {
    it('finds a 10-digit NPI valid with the 80840 prefix after the keyword', () => {
      expect(found('NPI: 1234567893')).toEqual(['NPI_NUMBER:1234567893']);
    });

    it('ignores a checksum failure and an NPI without the keyword', () => {
      expect(found('NPI: 1234567890')).toEqual([]);
      expect(found('provider 1234567893')).toEqual([]);
    });
  });

  describe('SSN with its keyword', () => {
    it('finds bare and spaced numbers after SSN or social security', () => {
      expect(found('SSN 219099999; social security number: 219 09 9999')).toEqual([
        'SSN:219099999',
        'SSN:219 09 9999',
      ]);
    });

    it('still checks the area, group and serial', () => {
      expect(found('SSN 666099999')).toEqual([]);
    });
  });

  describe('PERSON_NAME', () => {
    it('finds one to three capitalised words after a salutation, not the salutation', () => {
      expect(found('Dear Mrs. Jane Smith,')).toEqual(['PERSON_NAME:Jane Smith']);
      expect(found('Prof Mary-Jane O’Brien Watts replied')).toEqual([
        'PERSON_NAME:Mary-Jane O’Brien Watts',
      ]);
      expect(found('ask Dr. Müller')).toEqual(['PERSON_NAME:Müller']);
      expect(found('signed Dr. J. R. Hartley')).toEqual(['PERSON_NAME:J. R. Hartley']);
    });

    it('ignores salutations without a capitalised name and look-alike words', () => {
      expect(found('Mr. and Mrs. are titles; Draft, Mrs smith, Mx. 5, Prof. X')).toEqual([]);
    });

    it('reads "Prof. Dr. Name" as one name after the last salutation', () => {
      expect(found('Prof. Dr. Klaus Weber')).toEqual(['PERSON_NAME:Klaus Weber']);
    });
  });
});
