import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig, parseConfig } from './load-config.ts';
import { PRESETS } from './presets.ts';

const examplePath = new URL('../../../examples/switchyard.yaml', import.meta.url).pathname;

function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function writeTemp(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-config-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

const minimalProvider = {
  id: 'sim',
  kind: 'openai',
  baseUrl: 'http://127.0.0.1:4010/sim/v1',
  models: [{ name: 'small', contextWindow: 8192 }],
};

describe('loadConfig', () => {
  it('loads the commented example shipped in the repo', () => {
    const config = loadConfig({ path: examplePath, env: {} });
    expect(config.providers.map((provider) => provider.id)).toEqual([
      'gemini-free',
      'mistral-free',
      'local',
      'openai',
    ]);
    const gemini = config.providers[0]!;
    expect(gemini.baseUrl).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(gemini.timeoutMs).toBe(30_000);
    expect(gemini.models[0]!.limits).toEqual([
      { unit: 'requests', max: 15, window: 60_000 },
      { unit: 'requests', max: 1500, window: 'day', timeZone: 'America/Los_Angeles' },
      { unit: 'tokens', max: 1_000_000, window: 60_000 },
    ]);
    expect(config.providers[1]!.limits.at(-1)).toEqual({
      unit: 'tokens',
      max: 1_000_000_000,
      window: 'month',
    });
    expect(config.routes.summarize!.targets.map((target) => `${target.provider}/${target.model}`)).toEqual([
      'gemini-free/gemini-2.0-flash',
      'mistral-free/mistral-small-latest',
      'openai/gpt-4o-mini',
    ]);
    expect(config.routes.spread!.targets.map((target) => target.weight)).toEqual([3, 1]);
    expect(config.auth.apiKeys[0]!.tenant).toBe('acme');
    expect(config.results.retentionMs).toBe(7 * 86_400_000);
    expect(config.tenantDefaults.limits.storage).toBe(1024 ** 3);
    expect(config.tenants.acme).toMatchObject({ limits: { queuedJobs: 500_000 }, weight: 2 });
  });

  it('loads the configuration docker-compose.yml runs', () => {
    const path = new URL('../../../examples/compose.yaml', import.meta.url).pathname;
    const config = loadConfig({ path, env: { REDIS_URL: 'redis://redis:6379' } });
    expect(config.routes.summarize!.targets).toHaveLength(3);
    expect(config.redis.url).toBe('redis://redis:6379');
  });

  it('interpolates ${ENV} and lets PORT and REDIS_URL override the file', () => {
    const config = loadConfig({
      path: examplePath,
      env: { OPENAI_API_KEY: 'sk-from-env', PORT: '9090', REDIS_URL: 'redis://127.0.0.1:6390' },
    });
    expect(config.providers.find((provider) => provider.id === 'openai')!.apiKey).toBe('sk-from-env');
    expect(config.server.port).toBe(9090);
    expect(config.redis.url).toBe('redis://127.0.0.1:6390');
  });

  it('reads calendar days and months in a time zone, and fixed windows', () => {
    const limits = [
      { requests: 20, per: 'day', timeZone: 'America/Los_Angeles' },
      { requests: 50, per: 'day' },
      { tokens: 1000, per: 'month', timeZone: 'Europe/Paris' },
      { requests: 100, per: '1h', resetsAt: '2026-01-01T00:00:00Z' },
    ];
    const config = parseConfig({ presets: 'off', providers: [{ ...minimalProvider, limits }] }, {});
    expect(config.providers[0]!.limits).toEqual([
      { unit: 'requests', max: 20, window: 'day', timeZone: 'America/Los_Angeles' },
      { unit: 'requests', max: 50, window: 'day', timeZone: 'UTC' },
      { unit: 'tokens', max: 1000, window: 'month', timeZone: 'Europe/Paris' },
      { unit: 'requests', max: 100, window: 3_600_000, resetsAt: Date.UTC(2026, 0, 1) },
    ]);
    const bad = [
      { requests: 1, per: 'day', timeZone: 'Pacific Time' },
      { requests: 1, per: '1d', timeZone: 'UTC' },
      { requests: 1, per: 'day', resetsAt: '2026-01-01T00:00:00Z' },
      { requests: 1, per: '1h', resetsAt: 'midnight' },
    ];
    const problems = problemsOf(() =>
      parseConfig({ presets: 'off', providers: [{ ...minimalProvider, limits: bad }] }, {}),
    );
    expect(problems.map((problem) => problem.path)).toEqual([
      'providers[0].limits[0].timeZone',
      'providers[0].limits[1].timeZone',
      'providers[0].limits[2].resetsAt',
      'providers[0].limits[3].resetsAt',
    ]);
    expect(problems[0]!.message).toMatch(/IANA time zone/);
  });

  it('takes redis.cluster from the file, REDIS_CLUSTER overriding it', () => {
    const fromFile = parseConfig({ redis: { url: 'redis://10.0.0.5:7000', cluster: true } }, {});
    expect(fromFile.redis).toMatchObject({ url: 'redis://10.0.0.5:7000', cluster: true });
    expect(parseConfig({ redis: { cluster: true } }, { REDIS_CLUSTER: 'false' }).redis.cluster).toBe(false);
    expect(parseConfig({}, { REDIS_CLUSTER: 'true' }).redis.cluster).toBe(true);
    expect(parseConfig({}, {}).redis.cluster).toBe(false);
    expect(problemsOf(() => parseConfig({}, { REDIS_CLUSTER: 'yes' }))).toEqual([
      { path: 'REDIS_CLUSTER (environment)', message: 'expected true or false' },
    ]);
  });

  it('names every problem with its exact path and reason, and refuses to start', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          providers: [
            minimalProvider,
            { ...minimalProvider, id: 'other', limits: [{ requests: 10, per: '1 minute' }] },
            {
              ...minimalProvider,
              id: 'third',
              kind: 'cohere',
              limits: [{ requests: 1, tokens: 5, per: '1s' }],
            },
            { ...minimalProvider, tier: 'gratis' },
          ],
          routes: { main: { targets: ['sim/small', 'sim/huge', 'nowhere/small', 'no-slash'] } },
          server: { port: 'eighty' },
        },
        {},
      ),
    );
    const byPath = Object.fromEntries(problems.map((problem) => [problem.path, problem.message]));
    expect(byPath['providers[1].limits[0].per']).toMatch(/duration/);
    expect(byPath['providers[2].kind']).toMatch(/openai/);
    expect(byPath['providers[2].limits[0]']).toMatch(/exactly one of requests or tokens/);
    expect(byPath['providers[3].tier']).toMatch(/free/);
    expect(byPath['routes.main.targets[3]']).toMatch(/provider\/model/);
    expect(byPath['server.port']).toMatch(/number/);
    // Cross-checks run only once every field is well-formed; check them on their own.
    const crossProblems = problemsOf(() =>
      parseConfig(
        {
          providers: [minimalProvider, minimalProvider],
          routes: { main: { targets: ['sim/small', 'sim/huge', 'nowhere/small'] } },
        },
        {},
      ),
    );
    expect(crossProblems).toEqual([
      { path: 'providers[1].id', message: 'duplicate provider id "sim" (also providers[0])' },
      { path: 'routes.main.targets[1]', message: 'provider "sim" has no model "huge"' },
      { path: 'routes.main.targets[2]', message: 'no provider "nowhere" is configured' },
    ]);
  });

  it('never echoes a secret in its errors', () => {
    const secret = 'sk-live-abcdefghijklmnopqrstuvwxyz012345';
    const path = writeTemp(
      [
        'providers:',
        '  - id: leaky',
        '    kind: openai',
        `    apiKey: ${secret}`,
        `    baseUrl: ${secret}`,
        '    models: [{ name: m, contextWindow: 100 }]',
        '    tier: ${TIER_SECRET}',
        'auth:',
        `  apiKeys: [{ key: "${secret}", keyHash: "sha256:${secret}", tenant: t }]`,
        `  adminKeys: ["short"]`,
        'webhooks:',
        `  secret: "${secret}"`,
      ].join('\n'),
    );
    const error = (() => {
      try {
        loadConfig({ path, env: { TIER_SECRET: secret } });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems.length).toBeGreaterThanOrEqual(4);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.problems)).not.toContain(secret);
  });

  it('reports a YAML syntax error by line without quoting the line', () => {
    const path = writeTemp('providers:\n  - id: x\n    apiKey: "sk-unterminated-secret-value\n');
    const problems = problemsOf(() => loadConfig({ path, env: {} }));
    expect(problems[0]!.path).toMatch(/^\(yaml line \d+, column \d+\)$/);
    expect(JSON.stringify(problems)).not.toContain('sk-unterminated');
  });

  it('reports an unset variable by name and path', () => {
    const problems = problemsOf(() =>
      parseConfig({ providers: [{ ...minimalProvider, apiKey: '${SIM_KEY}' }] }, {}),
    );
    expect(problems).toContainEqual({
      path: 'providers[0].apiKey',
      message: 'environment variable SIM_KEY is not set',
    });
  });

  it('reports a missing file', () => {
    expect(problemsOf(() => loadConfig({ path: '/nonexistent/switchyard.yaml', env: {} }))).toEqual([
      { path: '(file)', message: 'cannot read the file (ENOENT)' },
    ]);
  });
});

describe('loadConfig with no file', () => {
  const apiKey = 'sk-env-api-key-0123456789';
  const adminKey = 'env-admin-key-0123456789';

  it('runs on a provider key plus SWITCHYARD_API_KEY: tenant default, the admin key and webhook secret', () => {
    const secret = 'whsec_ZW52aXJvbm1lbnQtd2ViaG9vay1zZWNyZXQ=';
    const config = loadConfig({
      env: {
        GROQ_API_KEY: 'gsk-test',
        SWITCHYARD_API_KEY: apiKey,
        SWITCHYARD_ADMIN_KEY: adminKey,
        SWITCHYARD_WEBHOOK_SECRET: secret,
      },
    });
    expect(config.providers.map((provider) => provider.id)).toEqual(['groq-free']);
    expect(config.auth.apiKeys).toEqual([{ key: apiKey, tenant: 'default' }]);
    expect(config.auth.adminKeys).toEqual([adminKey]);
    expect(config.webhooks.secret).toBe(secret);
    expect(Object.keys(config.routes)).toEqual(['default']);
  });

  it('stops with a provider key and no SWITCHYARD_API_KEY, saying to set it', () => {
    const problems = problemsOf(() => loadConfig({ env: { GROQ_API_KEY: 'gsk-test' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('SWITCHYARD_API_KEY');
    expect(problems[0]!.message).toMatch(/set SWITCHYARD_API_KEY/);
  });

  it('needs no API key for a worker-only process, nor with no provider (the demo supplies its own)', () => {
    const worker = loadConfig({ env: { GROQ_API_KEY: 'gsk-test' }, apiKeyRequired: false });
    expect(worker.auth.apiKeys).toEqual([]);
    expect(loadConfig({ env: {} }).providers).toEqual([]);
  });

  it('names the variable of an invalid key, never its value, and does not interpolate it', () => {
    const short = 'short-${X}';
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          GROQ_API_KEY: 'gsk-test',
          SWITCHYARD_API_KEY: short,
          SWITCHYARD_ADMIN_KEY: 'tiny',
          SWITCHYARD_WEBHOOK_SECRET: 'not-a-whsec-secret',
        },
      }),
    );
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      'SWITCHYARD_ADMIN_KEY',
      'SWITCHYARD_API_KEY',
      'SWITCHYARD_WEBHOOK_SECRET',
    ]);
    expect(problems.some((problem) => /not set/.test(problem.message))).toBe(false);
    const text = JSON.stringify(problems);
    for (const value of [short, 'tiny', 'not-a-whsec-secret']) expect(text).not.toContain(value);
  });

  it('leaves auth to the file when there is one', () => {
    const config = loadConfig({ path: examplePath, env: { SWITCHYARD_API_KEY: apiKey } });
    expect(config.auth.apiKeys.map((entry) => entry.tenant)).toEqual(['acme']);
  });
});

describe('presets', () => {
  it('switches on the presets whose key variable is set, with a default route free first', () => {
    const config = parseConfig({}, { GROQ_API_KEY: 'gsk-test', OPENAI_API_KEY: 'sk-test' });
    expect(config.providers.map((provider) => provider.id)).toEqual(['groq-free', 'openai']);
    expect(config.providers[0]!.apiKey).toBe('gsk-test');
    const targets = config.routes.default!.targets.map((target) => target.provider);
    expect(targets.indexOf('openai')).toBeGreaterThan(targets.lastIndexOf('groq-free'));
  });

  it('keeps a provider the file defines under a preset id, and turns off with presets: off', () => {
    const own = { ...minimalProvider, id: 'groq-free' };
    const config = parseConfig({ providers: [own] }, { GROQ_API_KEY: 'gsk-test' });
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]!.baseUrl).toBe(own.baseUrl);
    expect(parseConfig({ presets: 'off' }, { GROQ_API_KEY: 'gsk-test' }).providers).toEqual([]);
  });

  it('every preset is a valid provider and carries the date its limits were documented', () => {
    const env = Object.fromEntries(
      PRESETS.map((preset) => [
        preset.envKey,
        preset.envKey === 'OLLAMA_BASE_URL' ? 'http://127.0.0.1:11434/v1' : 'k',
      ]),
    );
    const config = parseConfig({}, env);
    expect(config.providers).toHaveLength(PRESETS.length);
    for (const preset of PRESETS) expect(preset.documentedAt).toMatch(/^\d{4}-\d{2}/);
    expect(config.providers.filter((provider) => provider.tier === 'free').length).toBeGreaterThanOrEqual(5);
  });
});
