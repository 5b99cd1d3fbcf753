import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.ts';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[{{{{\\"[[["}', 1)).toBe(false);
  });

  it('finds 20,000 levels without recursing', () => {
    expect(nestsDeeperThan('['.repeat(20_000) + ']'.repeat(20_000), 100)).toBe(true);
  });
});
