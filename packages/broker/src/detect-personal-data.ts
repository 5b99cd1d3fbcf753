/** Kinds of personal data Switchyard can recognise in a prompt. Labels only: never the data. */
export const PERSONAL_DATA_KINDS = ['email', 'phone', 'card', 'iban'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

const LOCAL_CHARACTER = /[A-Za-z0-9._%+-]/;
const LABEL_CHARACTER = /[A-Za-z0-9-]/;
const LETTER = /[A-Za-z]/;
/** A run of 13-19 digits, optionally grouped by single spaces or dashes. */
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;
/** Two letters, two check digits, then 11-30 letters or digits, optionally grouped by spaces. */
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
/** An international or national phone number: 9-15 digits with the usual separators. */
const PHONE_CANDIDATE = /(?:\+|\b00|\()?\d[\d\s().-]{7,18}\d\b/g;

/**
 * Whether `text` holds an address shaped like `local@label.label.tld` (a TLD of two letters or
 * more). Every pattern here must run in linear time, since prompts reach a million characters:
 * the obvious regular expression backtracks quadratically on a long run of letters. This scan
 * looks at each `@` once and reads the domain after it only up to the next `@`.
 */
export function containsEmail(text: string): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_CHARACTER.test(text[at - 1]!)) continue;
    let labelLength = 0;
    for (let index = at + 1; index < text.length; index++) {
      const character = text[index]!;
      if (character === '.') {
        if (labelLength === 0) break;
        if (LETTER.test(text[index + 1] ?? '') && LETTER.test(text[index + 2] ?? '')) return true;
        labelLength = 0;
      } else if (LABEL_CHARACTER.test(character)) {
        labelLength++;
      } else {
        break;
      }
    }
  }
  return false;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** The Luhn checksum that every payment card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters to numbers, mod 97 is 1. */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = /\d/.test(character) ? character : String(character.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/**
 * Which kinds of personal data appear in `texts`. Card numbers must pass Luhn and IBANs their
 * mod-97 check, so order numbers and dates are not taken for either.
 */
export function detectPersonalData(texts: readonly string[]): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  for (const text of texts) {
    if (containsEmail(text)) found.add('email');
    for (const match of text.match(IBAN_CANDIDATE) ?? []) {
      if (isValidIban(match)) found.add('iban');
    }
    const cards = (text.match(CARD_CANDIDATE) ?? []).filter((match) => passesLuhn(digitsOf(match)));
    if (cards.length > 0) found.add('card');
    // Account-number shapes (IBAN-like) and card numbers are not phone numbers.
    const rest = cards.reduce(
      (remaining, card) => remaining.replace(card, ' '),
      text.replace(IBAN_CANDIDATE, ' '),
    );
    for (const match of rest.match(PHONE_CANDIDATE) ?? []) {
      const digits = digitsOf(match);
      // A phone number has 9-15 digits and some phone-like shape: a leading +, 00 or (, or separators.
      if (digits.length >= 9 && digits.length <= 15 && /^(?:\+|00|\()|[\s().-]/.test(match))
        found.add('phone');
    }
  }
  return PERSONAL_DATA_KINDS.filter((kind) => found.has(kind));
}
