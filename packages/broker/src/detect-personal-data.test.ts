import { describe, expect, it } from 'vitest';
import { detectPersonalData, isValidIban, passesLuhn } from './detect-personal-data.ts';

describe('detectPersonalData', () => {
  it.each([
    ['Write to jane.doe+news@example.co.uk about it.', ['email']],
    ['Call me on +44 20 7946 0958 tomorrow.', ['phone']],
    ['Our office: (030) 123 456 78.', ['phone']],
    ['Card 4111 1111 1111 1111, expiry 12/29.', ['card']],
    ['Card 4111-1111-1111-1111.', ['card']],
    ['Pay to DE89 3704 0044 0532 0130 00 please.', ['iban']],
    ['GB82WEST12345698765432 is the account.', ['iban']],
    ['Mail a@b.io, card 5555555555554444, IBAN FR1420041010050500013M02606.', ['email', 'card', 'iban']],
  ])('finds %j', (text, kinds) => {
    expect(detectPersonalData([text])).toEqual(kinds);
  });

  it.each([
    'The meeting is on 2026-11-25 at 10:30.',
    'Order 4111 1111 1111 1112 failed the checksum.',
    'Invoice DE00 1234 5678 9012 3456 78 is not a valid IBAN.',
    'The population grew from 1200 to 3400 people.',
    'Version 1.2.3 of the library, build 20261125.',
    'Email me at the usual address.',
  ])('leaves %j alone', (text) => {
    expect(detectPersonalData([text])).toEqual([]);
  });

  it('checks Luhn and mod 97 like the standards', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
    expect(isValidIban('NL91ABNA0417164300')).toBe(true);
    expect(isValidIban('NL91ABNA0417164301')).toBe(false);
  });
});
