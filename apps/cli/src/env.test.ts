import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, EnvError, parseEnv } from './env.ts';

describe('parseEnv (the CLI)', () => {
  it('defaults the URL and leaves the key unset; an empty variable counts as unset', () => {
    expect(parseEnv({ SWITCHYARD_URL: '', PATH: '/bin' })).toEqual({ SWITCHYARD_URL: DEFAULT_URL });
  });

  it('names an invalid SWITCHYARD_URL without echoing it', () => {
    const value = 'ftp://secret-host.example/path';
    expect(() => parseEnv({ SWITCHYARD_URL: value })).toThrow(EnvError);
    expect(() => parseEnv({ SWITCHYARD_URL: value })).toThrow(/SWITCHYARD_URL: expected an http\(s\) URL/);
    try {
      parseEnv({ SWITCHYARD_URL: value });
    } catch (error) {
      expect((error as Error).message).not.toContain(value);
    }
  });
});
