import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { parseConfig } from './load-config.ts';
import { parseSize } from './size.ts';
import { tenantLimitsOf, tenantWebhookSecretsOf, tenantWeightOf } from './tenant-schema.ts';

const SECRET_A = 'whsec_YWNtZS1leGFtcGxlLXdlYmhvb2stc2VjcmV0';
const SECRET_B = 'whsec_b3RoZXItZXhhbXBsZS13ZWJob29rLXNlY3JldA==';

function problemsOf(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError)
      return Object.fromEntries(error.problems.map((problem) => [problem.path, problem.message]));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('tenant sections', () => {
  it('parses sizes in binary units and refuses anything else', () => {
    expect(parseSize('1GB')).toBe(1024 ** 3);
    expect(parseSize('500MB')).toBe(500 * 1024 ** 2);
    expect(parseSize('1.5 kb')).toBe(1536);
    expect(parseSize('lots')).toBeUndefined();
    expect(parseSize('0MB')).toBeUndefined();
  });

  it('merges a tenant over the defaults, with weight 1 and the global secret when unset', () => {
    const config = parseConfig(
      {
        tenantDefaults: { limits: { storage: '500MB', requestsPerSecond: 50 } },
        tenants: { acme: { webhookSecret: SECRET_A, limits: { queuedJobs: 500000 }, weight: 2 } },
      },
      {},
    );
    expect(tenantLimitsOf(config, 'acme')).toEqual({
      storage: 500 * 1024 ** 2,
      queuedJobs: 500_000,
      requestsPerSecond: 50,
      streams: 100,
    });
    expect(tenantLimitsOf(config, 'other')).toEqual({
      storage: 500 * 1024 ** 2,
      queuedJobs: 100_000,
      requestsPerSecond: 50,
      streams: 100,
    });
    expect(tenantWeightOf(config, 'acme')).toBe(2);
    expect(tenantWeightOf(config, 'other')).toBe(1);
    expect(tenantWebhookSecretsOf(config, 'acme')).toEqual([SECRET_A]);
    expect(tenantWebhookSecretsOf(config, 'other')).toBeUndefined();
    // Names that are properties of every object are tenants like any other.
    expect(tenantLimitsOf(config, 'constructor').queuedJobs).toBe(100_000);
  });

  it('gives tenants without a weight of their own the default weight', () => {
    const config = parseConfig(
      { tenantDefaults: { weight: 0.5 }, tenants: { acme: { weight: 3 }, globex: { limits: {} } } },
      {},
    );
    expect(tenantWeightOf(config, 'acme')).toBe(3);
    expect(tenantWeightOf(config, 'globex')).toBe(0.5);
    expect(tenantWeightOf(config, 'other')).toBe(0.5);
    expect(tenantLimitsOf(config, 'other').queuedJobs).toBe(100_000);
  });

  it('defaults every limit with no tenant section at all', () => {
    const config = parseConfig({}, {});
    expect(tenantLimitsOf(config, 'acme')).toEqual({
      storage: 1024 ** 3,
      queuedJobs: 100_000,
      requestsPerSecond: 200,
      streams: 100,
    });
  });

  it('takes a list of secrets while rotating', () => {
    const config = parseConfig({ tenants: { acme: { webhookSecret: [SECRET_B, SECRET_A] } } }, {});
    expect(tenantWebhookSecretsOf(config, 'acme')).toEqual([SECRET_B, SECRET_A]);
  });

  it('names each bad value by its path, never echoing a secret', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          tenantDefaults: { limits: { storage: 'huge', streams: 0 } },
          tenants: {
            acme: { webhookSecret: 'not-a-secret-value', limits: { queuedJobs: -1 }, weight: 0 },
            beta: { limits: { bandwidth: 5 } },
          },
        },
        {},
      ),
    );
    expect(problems['tenantDefaults.limits.storage']).toMatch(/size such as 500MB/);
    expect(problems['tenantDefaults.limits.streams']).toBeDefined();
    expect(problems['tenants.acme.limits.queuedJobs']).toBeDefined();
    expect(problems['tenants.acme.weight']).toBeDefined();
    expect(Object.keys(problems).some((path) => path.startsWith('tenants.acme.webhookSecret'))).toBe(true);
    expect(Object.keys(problems).some((path) => path.startsWith('tenants.beta.limits'))).toBe(true);
    expect(JSON.stringify(problems)).not.toContain('not-a-secret-value');
  });
});
