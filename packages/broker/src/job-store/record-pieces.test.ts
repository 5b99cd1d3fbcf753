import { describe, expect, it } from 'vitest';
import { joinPieces, PIECE_BYTES, piecePairs } from './record-pieces.ts';

/** The pairs as a hash, as HGETALL gives it back. */
const hashOf = (pairs: string[]) =>
  Object.fromEntries(
    Array.from({ length: pairs.length / 2 }, (_, index) => [pairs[index * 2], pairs[index * 2 + 1]]),
  );

describe('record pieces', () => {
  it('keeps a short value whole', () => {
    expect(piecePairs('rq', 'short')).toEqual(['rq', 'short']);
    expect(piecePairs('rq', 'x'.repeat(PIECE_BYTES))).toEqual(['rq', 'x'.repeat(PIECE_BYTES)]);
  });

  it('cuts a long value into pieces of at most PIECE_BYTES bytes, and joins them again', () => {
    const value = 'a'.repeat(150);
    const pairs = piecePairs('rq', value);
    expect(pairs).toEqual(['rq', 'a'.repeat(64), 'rq:1', 'a'.repeat(64), 'rq:2', 'a'.repeat(22)]);
    expect(joinPieces(hashOf(pairs))).toEqual({ rq: value });
  });

  it('never cuts inside a character: every piece is valid UTF-8 on its own', () => {
    // 1-, 2-, 3- and 4-byte characters (the last a surrogate pair in JavaScript), misaligned.
    const value = `x${'é漢😀'.repeat(40)}`;
    const pairs = piecePairs('rq', value);
    const pieces = pairs.filter((_, index) => index % 2 === 1);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(PIECE_BYTES);
      expect(Buffer.from(piece).toString()).toBe(piece);
      expect(piece).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    }
    expect(joinPieces(hashOf(pairs))).toEqual({ rq: value });
  });

  it('never cuts the fields the scripts read by name', () => {
    const tenant = 't'.repeat(200);
    expect(piecePairs('tn', tenant)).toEqual(['tn', tenant]);
  });

  it('joins each field of a record separately', () => {
    const record = {
      ...hashOf(piecePairs('rq', 'q'.repeat(100))),
      ...hashOf(piecePairs('md', 'm'.repeat(70))),
      st: 'queued',
    };
    expect(joinPieces(record)).toEqual({ rq: 'q'.repeat(100), md: 'm'.repeat(70), st: 'queued' });
  });
});
