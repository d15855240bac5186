/**
 * A US social security number's structure (9 digits, separators removed): the area is not 000,
 * 666 or 9xx, the group is not 00, the serial is not 0000.
 */
export function isSsn(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  return (
    area !== '000' &&
    area !== '666' &&
    area[0] !== '9' &&
    digits.slice(3, 5) !== '00' &&
    digits.slice(5) !== '0000'
  );
}
