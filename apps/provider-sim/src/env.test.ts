import { ConfigError } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.ts';

describe('parseEnv (the simulator)', () => {
  it('defaults the port and host, and serves the demo set without SIM_CONFIG', () => {
    expect(parseEnv({})).toEqual({ SIM_PORT: 4010, SIM_HOST: '127.0.0.1' });
    expect(parseEnv({ SIM_PORT: '0', SIM_CONFIG: 'sim.yaml' })).toMatchObject({ SIM_PORT: 0 });
  });

  it.each(['abc', '65536', '-1'])('refuses SIM_PORT=%s, naming it', (value) => {
    expect(() => parseEnv({ SIM_PORT: value })).toThrow(ConfigError);
    expect(() => parseEnv({ SIM_PORT: value })).toThrow(/SIM_PORT: expected a port/);
  });
});
