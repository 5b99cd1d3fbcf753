import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { type InterpolationProblem, interpolateEnv } from './interpolate-env.ts';
import { presetsFromEnv } from './presets.ts';
import { type Config, ConfigSchema, type ProviderInput, TIERS } from './schema.ts';

export interface ConfigProblem {
  /** Where the problem is, e.g. `providers[2].limits[0].per`. */
  path: string;
  message: string;
}

/** A configuration that cannot be used. Lists every problem; never echoes a value. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${source}):\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** `['providers', 2, 'limits', 0, 'per']` -> `providers[2].limits[0].per` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

/**
 * Validates a configuration tree (as parsed from YAML): interpolates `${ENV}`, applies the
 * `PORT` and `REDIS_URL` overrides, adds presets switched on by their key variables, and a
 * `default` route over every model (free first, paid last) when the file defines no routes.
 */
export function parseConfig(raw: unknown, env: Env = process.env, source = 'configuration'): Config {
  const interpolationProblems: InterpolationProblem[] = [];
  const tree = interpolateEnv(raw ?? {}, env, interpolationProblems);
  const problems: ConfigProblem[] = interpolationProblems.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
  }));
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

  if (input.presets !== 'off' && (input.providers === undefined || Array.isArray(input.providers))) {
    const providers = (input.providers as ProviderInput[] | undefined) ?? [];
    const ids = new Set(providers.map((provider) => provider?.id));
    input.providers = [...providers, ...presetsFromEnv(env).filter((preset) => !ids.has(preset.id))];
  }

  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);

  const config = result.data;
  if (Object.keys(config.routes).length === 0 && config.providers.length > 0) {
    config.routes = { default: defaultRoute(config) };
  }
  return config;
}

/** Reads the YAML file named by `SWITCHYARD_CONFIG` (or `path`); with neither, the defaults plus presets. */
export function loadConfig(options: { path?: string; env?: Env } = {}): Config {
  const env = options.env ?? process.env;
  const path = options.path ?? env.SWITCHYARD_CONFIG;
  if (!path) return parseConfig({}, env, 'defaults');

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
  return { strategy: 'priority', targets };
}
