/** Registrant types (the first letter) in use: https://www.deadiversion.usdoj.gov/ */
const REGISTRANT_TYPES = 'ABCDEFGHJKLMPRSTUX';

/**
 * A DEA registration number: a registrant-type letter, a letter (the registrant's last-name
 * initial) or 9, then 7 digits whose last is (d1 + d3 + d5 + 2 * (d2 + d4 + d6)) mod 10.
 */
export function isDeaNumber(value: string): boolean {
  if (value.length !== 9 || !REGISTRANT_TYPES.includes(value[0])) return false;
  const second = value.charCodeAt(1);
  if (!((second >= 65 && second <= 90) || value[1] === '9')) return false;
  const d: number[] = [];
  for (let i = 2; i < 9; i++) {
    const v = value.charCodeAt(i) - 48;
    if (v < 0 || v > 9) return false;
    d.push(v);
  }
  return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 === d[6];
}
