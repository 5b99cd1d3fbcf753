import { describe, expect, it } from 'vitest';
import { parseResetDuration } from './parse-reset-duration.ts';

describe('parseResetDuration', () => {
  it.each([
    ['6m0s', 360_000],
    ['1s', 1_000],
    ['250ms', 250],
    ['1h2m3.5s', 3_723_500],
    ['7.66s', 7_660],
    ['2m59.56s', 179_560],
    ['13m51.84s', 831_840],
    ['37s', 37_000],
    ['58.217843437s', 58_218],
    ['0s', 0],
    ['1.5µs', 0],
    ['30', 30_000],
    ['11.382867097854614', 11_383],
    [' 20s ', 20_000],
  ])('%j -> %d ms', (value, expected) => {
    expect(parseResetDuration(value)).toBe(expected);
  });

  it.each(['', 'soon', '5 minutes', '1d', 's', '-3s', '2025-08-21T12:40:59Z', '1s2x'])(
    '%j -> undefined',
    (value) => {
      expect(parseResetDuration(value)).toBeUndefined();
    },
  );
});
