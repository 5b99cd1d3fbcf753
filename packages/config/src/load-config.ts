import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, type ConfigProblem, formatPath } from './config-error.ts';
import { type InterpolationProblem, interpolateEnv } from './interpolate-env.ts';
import { presetsFromEnv } from './presets.ts';
import { type Config, ConfigSchema, type ProviderInput, TIERS } from './schema.ts';

type Env = Record<string, string | undefined>;

/**
 * Validates a configuration tree (as parsed from YAML): interpolates `${ENV}` from `env`, applies
 * the `PORT`, `REDIS_URL` and `REDIS_CLUSTER` overrides, adds presets switched on by their key variables, and a
 * `default` route over every model (free first, paid last) when the file defines no routes.
 */
export function parseConfig(raw: unknown, env: Env, source = 'configuration'): Config {
  const interpolationProblems: InterpolationProblem[] = [];
  const tree = interpolateEnv(raw ?? {}, env, interpolationProblems);
  const problems: ConfigProblem[] = interpolationProblems.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
  }));
  return checkConfig(tree, env, source, problems);
}

/** Where each setting the environment gives (with no file) comes from, to name it in errors. */
const ENVIRONMENT_SETTINGS: readonly (readonly [prefix: string, variable: string])[] = [
  ['auth.apiKeys', 'SWITCHYARD_API_KEY'],
  ['auth.adminKeys', 'SWITCHYARD_ADMIN_KEY'],
  ['webhooks.secret', 'SWITCHYARD_WEBHOOK_SECRET'],
];

/**
 * The configuration when there is no file: the defaults, the presets switched on by provider
 * key variables, and auth from the environment: `SWITCHYARD_API_KEY` (tenant `default`),
 * `SWITCHYARD_ADMIN_KEY` and `SWITCHYARD_WEBHOOK_SECRET`. Values are taken as they are (no
 * `${...}` interpolation: a key is not a template). With a provider switched on and no API key,
 * the API would refuse every request: that is an error unless `apiKeyRequired` is false (a
 * worker-only process serves no API).
 */
export function configFromEnvironment(env: Env, apiKeyRequired = true): Config {
  const {
    SWITCHYARD_API_KEY: apiKey,
    SWITCHYARD_ADMIN_KEY: adminKey,
    SWITCHYARD_WEBHOOK_SECRET: secret,
  } = env;
  const tree = {
    auth: {
      apiKeys: apiKey ? [{ key: apiKey, tenant: 'default' }] : [],
      adminKeys: adminKey ? [adminKey] : [],
    },
    ...(secret ? { webhooks: { secret } } : {}),
  };
  const config = checkConfig(tree, env, 'environment', [], (path) => {
    const text = formatPath(path);
    return ENVIRONMENT_SETTINGS.find(([prefix]) => text.startsWith(prefix))?.[1] ?? text;
  });
  if (apiKeyRequired && config.providers.length > 0 && config.auth.apiKeys.length === 0) {
    throw new ConfigError('environment', [
      {
        path: 'SWITCHYARD_API_KEY',
        message:
          'not set: with no configuration file, set SWITCHYARD_API_KEY to the key clients send (16 characters or more; tenant "default"), or name a file in SWITCHYARD_CONFIG',
      },
    ]);
  }
  return config;
}

function checkConfig(
  tree: unknown,
  env: Env,
  source: string,
  problems: ConfigProblem[],
  nameOf: (path: readonly PropertyKey[]) => string = formatPath,
): Config {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError(source, [{ path: '(root)', message: 'expected a mapping of settings' }]);
  }
  const input = { ...(tree as Record<string, unknown>) };

  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      problems.push({ path: 'PORT (environment)', message: 'expected a port number from 0 to 65535' });
    } else {
      input.server = { ...asRecord(input.server), port };
    }
  }
  if (env.REDIS_URL) input.redis = { ...asRecord(input.redis), url: env.REDIS_URL };
  if (env.REDIS_CLUSTER !== undefined && env.REDIS_CLUSTER !== '') {
    if (env.REDIS_CLUSTER !== 'true' && env.REDIS_CLUSTER !== 'false') {
      problems.push({ path: 'REDIS_CLUSTER (environment)', message: 'expected true or false' });
    } else {
      input.redis = { ...asRecord(input.redis), cluster: env.REDIS_CLUSTER === 'true' };
    }
  }

  if (input.presets !== 'off' && (input.providers === undefined || Array.isArray(input.providers))) {
    const providers = (input.providers as ProviderInput[] | undefined) ?? [];
    const ids = new Set(providers.map((provider) => provider?.id));
    input.providers = [...providers, ...presetsFromEnv(env).filter((preset) => !ids.has(preset.id))];
  }

  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ path: nameOf(issue.path), message: issue.message });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);

  const config = result.data;
  if (Object.keys(config.routes).length === 0 && config.providers.length > 0) {
    config.routes = { default: defaultRoute(config) };
  }
  return config;
}

/**
 * Reads the YAML file named by `path` (or `SWITCHYARD_CONFIG` in `env`); with neither, the
 * configuration the environment gives (see configFromEnvironment).
 */
export function loadConfig(options: { path?: string; env: Env; apiKeyRequired?: boolean }): Config {
  const { env } = options;
  const path = options.path ?? env.SWITCHYARD_CONFIG;
  if (!path) return configFromEnvironment(env, options.apiKeyRequired);

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(path, [{ path: '(file)', message: `cannot read the file (${code})` }]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      // The message's first line only: the rest quotes the source, which may hold a secret.
      const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
      const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(path, [
        { path: `(yaml line ${line}, column ${column})`, message: reason ?? error.code },
      ]);
    }
    throw error;
  }
  return parseConfig(raw, env, path);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function defaultRoute(config: Config): Config['routes'][string] {
  const tierOrder = (tier: string) => TIERS.indexOf(tier as (typeof TIERS)[number]);
  const targets = config.providers
    .flatMap((provider) =>
      provider.models.map((model) => ({
        provider: provider.id,
        model: model.name,
        weight: 1,
        rank: tierOrder(provider.tier),
        price: model.price.input + model.price.output,
      })),
    )
    .sort((a, b) => a.rank - b.rank || a.price - b.price)
    .map(({ provider, model, weight }) => ({ provider, model, weight }));
  return { strategy: 'priority', targets, strict: false };
}
