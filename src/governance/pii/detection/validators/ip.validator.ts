/** A dotted-quad IPv4 address: four decimal octets 0-255, without leading zeros. */
export function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every(isOctet);
}

function isOctet(part: string): boolean {
  if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0')) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(part) <= 255;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function colons(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 0x3a) n++;
  return n;
}

/**
 * An IPv6 address in the text forms of RFC 4291 2.2: eight groups of 1-4 hex digits, at most
 * one `::` standing for one or more zero groups, and an optional trailing dotted-quad IPv4 (two
 * groups). Compressed forms must name at least two groups, one of three or more hex digits (or
 * the embedded IPv4): `::1`, `a::b` or `1::2` are far more often C++ scopes and Python slices
 * than addresses in a prompt.
 */
export function isIpv6(value: string): boolean {
  // Cheap refusals first: times (12:30:45) and short hex:hex runs are the usual candidates.
  const compressedAt = value.indexOf('::');
  if (compressedAt < 0 && colons(value) < 6) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const groups: string[] = [];
  for (const half of halves) {
    if (half !== '') groups.push(...half.split(':'));
  }
  let count = 0;
  let wide = false;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (i === groups.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      count += 2;
      wide = true;
    } else if (HEX_GROUP.test(g)) {
      count += 1;
      wide ||= g.length >= 3;
    } else {
      return false;
    }
  }
  if (!compressed) return count === 8;
  return count <= 7 && groups.length >= 2 && wide;
}
