import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsEmail, detectPersonalData, isValidIban, passesLuhn } from './detect-personal-data.ts';

/** The textbook pattern: right, but quadratic on a long run of letters. */
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
/** The content limit of a message. */
const MAX_CONTENT = 1_000_000;

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

  it('finds emails exactly where the textbook pattern does', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'B', '1', '.', '@', '-', '_', ' ', '+'),
      maxLength: 40,
    });
    fc.assert(
      fc.property(text, (candidate) => containsEmail(candidate) === EMAIL_PATTERN.test(candidate)),
      {
        numRuns: 5_000,
      },
    );
  });

  it.each([
    ['letters', 'a'.repeat(MAX_CONTENT)],
    ['at signs after letters', 'a@'.repeat(MAX_CONTENT / 2)],
    ['one long domain with no TLD', `a@${'a1.'.repeat(MAX_CONTENT / 3 - 1)}`],
    ['digits and separators', '1 -'.repeat(MAX_CONTENT / 3)],
    ['IBAN-like runs', 'DE89 '.repeat(MAX_CONTENT / 5)],
    // Each case takes well under 0.1 s; the quadratic pattern took minutes on the first one.
  ])('scans %s up to the content limit in linear time', { timeout: 10_000 }, (_name, text) => {
    expect(detectPersonalData([text])).toEqual([]);
  });
});
