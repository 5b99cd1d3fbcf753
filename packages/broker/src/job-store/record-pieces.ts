/**
 * A job record's long values, stored in pieces. Redis keeps a hash in its compact `listpack`
 * encoding only while every value is at most `hash-max-listpack-value` bytes (64 by default);
 * one longer value (the request, always) turns the whole record into a `hashtable`, which
 * costs about twice the bytes. So a value longer than `PIECE_BYTES` is cut into pieces: the
 * first under the field's own name, the others under `<field>:1`, `<field>:2`, ... The record
 * then stays a listpack up to `hash-max-listpack-entries` fields (128 by default: requests of
 * several kilobytes); beyond that Redis converts it, which costs memory, never correctness.
 *
 * Pieces end on a character boundary, so each one is valid UTF-8 and decodes on its own.
 */
export const PIECE_BYTES = 64;

/**
 * Fields the store's scripts read by name (HMGET in transition-2.lua: status, target, id,
 * transition, tenant; and tries): never cut, whatever their length. Record names
 * (`record-fields.ts`).
 */
const WHOLE_FIELDS: ReadonlySet<string> = new Set(['id', 'tn', 'st', 'tg', 'tr', 'tx']);

/** `value` as the field/value pairs the record holds for `field` (a record name). */
export function piecePairs(field: string, value: string): string[] {
  if (WHOLE_FIELDS.has(field) || value.length * 3 <= PIECE_BYTES) return [field, value];
  const pairs: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let index = 0; index < value.length; ) {
    const code = value.charCodeAt(index);
    // UTF-8 bytes of this character; a surrogate pair (two code units) is one 4-byte character.
    const pair = code >= 0xd800 && code <= 0xdbff && index + 1 < value.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > PIECE_BYTES) {
      pairs.push(pieceField(field, pairs.length / 2), value.slice(start, index));
      start = index;
      bytes = 0;
    }
    bytes += size;
    index += pair ? 2 : 1;
  }
  pairs.push(pieceField(field, pairs.length / 2), value.slice(start));
  return pairs;
}

/** The name of a value's `index`th piece (the first keeps the field's own name). */
function pieceField(field: string, index: number): string {
  return index === 0 ? field : `${field}:${index}`;
}

/** A record as read (HGETALL), its pieces joined again: record name -> whole value. */
export function joinPieces(hash: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.includes(':')) continue;
    let whole = value;
    for (let index = 1; hash[pieceField(field, index)] !== undefined; index++)
      whole += hash[pieceField(field, index)];
    fields[field] = whole;
  }
  return fields;
}
