/** The 4th letter of an Indian PAN: the holder type (person, company, HUF, firm, ...). */
const HOLDER_TYPES = 'PCHFATBLJG';

/** An Indian Permanent Account Number: AAAAA9999A, the 4th letter a holder type. */
export function isPan(value: string): boolean {
  return /^[A-Z]{3}[A-Z][A-Z][0-9]{4}[A-Z]$/.test(value) && HOLDER_TYPES.includes(value[3]);
}
