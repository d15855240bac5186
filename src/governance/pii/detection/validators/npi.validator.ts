import { isLuhnValid } from './luhn.validator.js';

/**
 * A National Provider Identifier: 10 digits, Luhn-valid once prefixed with 80840 (the ISO
 * issuer prefix of US health identifiers, CMS NPI check-digit specification).
 */
export function isNpi(digits: string): boolean {
  return digits.length === 10 && isLuhnValid(`80840${digits}`);
}
