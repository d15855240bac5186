import { isLuhnValid } from './luhn.validator.js';

/**
 * A payment card number (digits only): a known brand's prefix and length, and Luhn.
 * Brands per the contract: Visa, Mastercard (51-55 and 2221-2720), Amex, Discover, JCB, Diners.
 */
export function isCardNumber(digits: string): boolean {
  return hasBrandPrefix(digits) && isLuhnValid(digits);
}

function hasBrandPrefix(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  const long = n >= 16 && n <= 19;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return long; // Discover
  if (p6 >= 622126 && p6 <= 622925) return long; // Discover (China UnionPay co-brand)
  if (p4 >= 3528 && p4 <= 3589) return long; // JCB
  if ((p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39) {
    return n >= 14 && n <= 19; // Diners Club
  }
  return false;
}
