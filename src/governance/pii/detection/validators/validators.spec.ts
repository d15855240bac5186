import { describe, expect, it } from '@jest/globals';
import { isCardNumber } from './card.validator.js';
import { isRealDate } from './date.validator.js';
import { isDeaNumber } from './dea.validator.js';
import { isIban } from './iban.validator.js';
import { isIpv4, isIpv6 } from './ip.validator.js';
import { isLuhnValid } from './luhn.validator.js';
import { isNpi } from './npi.validator.js';
import { isPan } from './pan.validator.js';
import { looksLikeSecret } from './secret.validator.js';
import { isSsn } from './ssn.validator.js';
import { isAadhaar, isVerhoeffValid } from './verhoeff.validator.js';

describe(isLuhnValid.name, () => {
  it('accepts the standard test card numbers and refuses them with the last digit changed', () => {
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('79927398710')).toBe(false);
  });
});

describe(isCardNumber.name, () => {
  it.each([
    ['Visa', '4111111111111111'],
    ['Visa 13 digits', '4222222222222'],
    ['Mastercard 51-55', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Amex', '378282246310005'],
    ['Discover', '6011111111111117'],
    ['JCB', '3530111333300000'],
    ['Diners', '30569309025904'],
  ])('accepts %s', (_brand, digits) => {
    expect(isCardNumber(digits)).toBe(true);
  });

  it('refuses a Luhn failure, an unknown brand prefix, and a brand at the wrong length', () => {
    expect(isCardNumber('4111111111111112')).toBe(false);
    expect(isCardNumber('9111111111111119')).toBe(false); // Luhn-valid, no brand starts with 9
    expect(isCardNumber('378282246310005'.padEnd(16, '0'))).toBe(false); // Amex has 15 digits
    expect(isCardNumber('2721000000000004')).toBe(false); // just past the 2-series range
  });
});

describe(isAadhaar.name, () => {
  it('accepts 12 digits starting 2-9 with a Verhoeff check digit', () => {
    expect(isVerhoeffValid('2363')).toBe(true); // the algorithm's textbook example
    expect(isAadhaar('234567890124')).toBe(true);
    expect(isAadhaar('491827364507')).toBe(true);
  });

  it('refuses a wrong check digit, a leading 0 or 1, and other lengths', () => {
    expect(isAadhaar('234567890125')).toBe(false);
    expect(isAadhaar('134567890124')).toBe(false);
    expect(isAadhaar('23456789012')).toBe(false);
  });
});

describe(isIban.name, () => {
  it.each(['GB82WEST12345698765432', 'DE89370400440532013000', 'FR1420041010050500013M02606'])(
    'accepts %s',
    (iban) => expect(isIban(iban)).toBe(true),
  );

  it('refuses one digit changed, the wrong length for the country, and an unknown country', () => {
    expect(isIban('GB82WEST12345698765433')).toBe(false);
    expect(isIban('GB82WEST1234569876543')).toBe(false);
    expect(isIban('XX82WEST12345698765432')).toBe(false);
  });
});

describe(isSsn.name, () => {
  it('accepts a well-formed number and refuses area 000, 666, 9xx, group 00 and serial 0000', () => {
    expect(isSsn('219099999')).toBe(true);
    for (const bad of ['000123456', '666123456', '912345678', '123004567', '123450000']) {
      expect(isSsn(bad)).toBe(false);
    }
  });
});

describe(isDeaNumber.name, () => {
  it('checks the registrant type, the second character and the DEA checksum', () => {
    expect(isDeaNumber('AB1234563')).toBe(true);
    expect(isDeaNumber('A91234563')).toBe(true); // 9: a business address
    expect(isDeaNumber('AB1234564')).toBe(false); // checksum
    expect(isDeaNumber('IB1234563')).toBe(false); // I is not a registrant type
  });
});

describe(isNpi.name, () => {
  it('is Luhn over the number prefixed with 80840', () => {
    expect(isNpi('1234567893')).toBe(true);
    expect(isNpi('1234567890')).toBe(false);
    expect(isLuhnValid('1234567893')).toBe(false); // plain Luhn would refuse the valid NPI
  });
});

describe(isPan.name, () => {
  it('requires AAAAA9999A with a holder type as the 4th letter', () => {
    expect(isPan('ABCPE1234F')).toBe(true);
    expect(isPan('ABCXE1234F')).toBe(false);
    expect(isPan('ABCPE12345')).toBe(false);
  });
});

describe(isRealDate.name, () => {
  it('knows month lengths and Gregorian leap years', () => {
    expect(isRealDate(2000, 2, 29)).toBe(true); // divisible by 400
    expect(isRealDate(1996, 2, 29)).toBe(true);
    expect(isRealDate(1900, 2, 29)).toBe(false); // divisible by 100, not 400
    expect(isRealDate(1990, 2, 30)).toBe(false);
    expect(isRealDate(1990, 4, 31)).toBe(false);
    expect(isRealDate(1990, 13, 1)).toBe(false);
  });
});

describe(isIpv4.name, () => {
  it('requires four octets of at most 255 without leading zeros', () => {
    expect(isIpv4('192.168.1.10')).toBe(true);
    expect(isIpv4('256.1.1.1')).toBe(false);
    expect(isIpv4('1.2.3')).toBe(false);
    expect(isIpv4('01.2.3.4')).toBe(false);
  });
});

describe(isIpv6.name, () => {
  it.each([
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8::8a2e:370:7334',
    'fe80::1ff:fe23:4567:890a',
    '::ffff:192.0.2.128',
    '64:ff9b::192.0.2.33',
  ])('accepts %s', (address) => expect(isIpv6(address)).toBe(true));

  it.each([
    ['a time', '12:30:45'],
    ['a MAC address', '00:1a:2b:3c:4d:5e'],
    ['two compressions', '2001::db8::1'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['a group of five digits', '2001:db8::12345'],
    ['a bad embedded IPv4', '::ffff:192.0.2.256'],
    ['a Python slice', '1::2'],
    ['the bare loopback', '::1'],
  ])('refuses %s', (_what, text) => expect(isIpv6(text)).toBe(false));
});

describe(looksLikeSecret.name, () => {
  it('accepts random-looking values and short mixed passwords', () => {
    expect(looksLikeSecret('Zx8Qp2Lm7Vn4Rt1Ws9Ky3', 8)).toBe(true);
    expect(looksLikeSecret('hunter2', 6)).toBe(true);
  });

  it('refuses code, placeholders and words', () => {
    for (const value of ['process.env.API_KEY', '$DB_PASSWORD', 'string', 'required', '********']) {
      expect(looksLikeSecret(value, 6)).toBe(false);
    }
    expect(looksLikeSecret('aaaaaaaaaaaaaaaa1', 8)).toBe(false); // two classes, no entropy
  });
});
