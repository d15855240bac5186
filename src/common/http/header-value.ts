/** Visible ASCII but `%`: what a header value may carry as is. */
const VISIBLE_ASCII = /^[\x21-\x24\x26-\x7e]*$/;

/**
 * `value` as a header value any HTTP stack accepts: visible ASCII stays as is; every other
 * character, and `%`, is percent-encoded as UTF-8, so `decodeURIComponent` gives the text back.
 * Node refuses (throws `ERR_INVALID_CHAR` on) control characters and anything beyond Latin-1, and
 * sends Latin-1 as bytes clients read differently; a value that carries request data (a model
 * name) must not be able to do either. A lone surrogate, which has no UTF-8 form, becomes U+FFFD.
 */
export function headerSafe(value: string): string {
  if (VISIBLE_ASCII.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
