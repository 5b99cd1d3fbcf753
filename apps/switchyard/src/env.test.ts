import { ConfigError } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.ts';

/** The ConfigError that parsing `variables` throws. */
function refusal(variables: Record<string, string>): ConfigError {
  try {
    parseEnv(variables);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv (the Switchyard process)', () => {
  it('defaults every variable, and leaves those that defer to the file unset', () => {
    expect(parseEnv({})).toEqual({
      NODE_ENV: 'development',
      SWITCHYARD_DEMO: '0',
      SWITCHYARD_ROLE: 'all',
      SIM_PORT: 4010,
      SWITCHYARD_DATA_DIR: '.data/redis',
      SWITCHYARD_LOCK_DURATION_MS: 30_000,
      SWITCHYARD_DRAIN_TIMEOUT_MS: 30_000,
      OTEL_SERVICE_NAME: 'switchyard',
    });
  });

  it('types what is set, counts an empty variable as unset and ignores variables it does not own', () => {
    const env = parseEnv({
      SWITCHYARD_ROLE: 'worker',
      PORT: '0',
      SIM_PORT: '',
      SWITCHYARD_LOCK_DURATION_MS: '1500',
      REDIS_URL: 'redis://127.0.0.1:6390',
      REDIS_CLUSTER: 'true',
      GROQ_API_KEY: 'gsk-not-ours',
    });
    expect(env).toMatchObject({
      SWITCHYARD_ROLE: 'worker',
      PORT: 0,
      SIM_PORT: 4010,
      SWITCHYARD_LOCK_DURATION_MS: 1500,
      REDIS_URL: 'redis://127.0.0.1:6390',
      REDIS_CLUSTER: true,
    });
    expect(env).not.toHaveProperty('GROQ_API_KEY');
  });

  it.each([
    ['SWITCHYARD_LOCK_DURATION_MS', 'abc', /whole number/],
    ['SWITCHYARD_LOCK_DURATION_MS', '10', /from 500/],
    ['SWITCHYARD_DRAIN_TIMEOUT_MS', '-1', /whole number/],
    ['METRICS_PORT', '70000', /port/],
    ['SWITCHYARD_ROLE', 'boss', /all, api or worker/],
    ['PORT', '99999', /port/],
    ['SIM_PORT', '-1', /port/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /redis:\/\//],
    ['REDIS_CLUSTER', 'yes', /true or false/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /http\(s\) URL/],
  ])('refuses %s=%s and names the variable', (name, value, reason) => {
    const error = refusal({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.path).toBe(name);
    expect(error.problems[0]!.message).toMatch(reason);
    expect(error.message).toContain(`${name}: `);
  });

  it('names every invalid variable at once', () => {
    const error = refusal({ SWITCHYARD_ROLE: 'boss', PORT: '99999', SWITCHYARD_LOCK_DURATION_MS: 'abc' });
    expect(error.problems.map((problem) => problem.path).sort()).toEqual([
      'PORT',
      'SWITCHYARD_LOCK_DURATION_MS',
      'SWITCHYARD_ROLE',
    ]);
  });

  it('never echoes a secret value it refuses', () => {
    const secrets = {
      SWITCHYARD_API_KEY: 'sk-too-short',
      SWITCHYARD_ADMIN_KEY: 'admin-short',
      SWITCHYARD_WEBHOOK_SECRET: 'whsec_not!base64!secret-value',
    };
    const error = refusal(secrets);
    expect(error.problems.map((problem) => problem.path).sort()).toEqual(Object.keys(secrets).sort());
    const text = `${error.message}\n${JSON.stringify(error.problems)}`;
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
  });
});
