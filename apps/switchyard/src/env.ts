import { parseEnvironment } from '@switchyard/config';
import { z } from 'zod';

/** A whole number from `min` to `max`, written in decimal digits (so `abc`, `1.5` or `-1` fail). */
function wholeNumber(meaning: string, min: number, max: number) {
  const message = `expected ${meaning}: a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

const port = (meaning: string) => wholeNumber(meaning, 0, 65_535);
const httpUrl = (meaning: string) => z.url({ protocol: /^https?$/, error: `expected ${meaning}` });

/**
 * Every environment variable the Switchyard process reads, typed and defaulted; parsed once,
 * at start-up, by main.ts. Provider key variables (GEMINI_API_KEY, ...) and `${NAME}` in the
 * file are the configuration's: main.ts passes the whole environment to loadConfig for those.
 * An optional variable without a default is left unset: its setting then comes from the file.
 */
export const EnvSchema = z.object({
  SWITCHYARD_CONFIG: z.string().optional(),
  NODE_ENV: z.string().default('development'),
  /** `1` runs the demo (the bundled simulator) even with NODE_ENV=production. */
  SWITCHYARD_DEMO: z.enum(['0', '1'], { error: 'expected 1 (run the demo) or 0' }).default('0'),
  SWITCHYARD_ROLE: z.enum(['all', 'api', 'worker'], { error: 'expected all, api or worker' }).default('all'),
  PORT: port('a port').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).optional(),
  /** `true`: REDIS_URL is a seed node of a Redis Cluster (overrides the file's `redis.cluster`). */
  REDIS_CLUSTER: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .transform((value) => value === 'true')
    .optional(),
  SIM_PORT: port('a port').default(4010),
  SWITCHYARD_DATA_DIR: z.string().default('.data/redis'),
  // Below 500 ms a busy worker could not renew its lock in time and would lose every job.
  SWITCHYARD_LOCK_DURATION_MS: wholeNumber('milliseconds', 500, 86_400_000).default(30_000),
  // On SIGTERM the API waits this long for requests in flight (a synchronous completion, a
  // `?wait=` poll) before it closes their connections; the workers always finish their calls.
  SWITCHYARD_DRAIN_TIMEOUT_MS: wholeNumber('milliseconds', 0, 3_600_000).default(30_000),
  // Where a worker-role process serves /metrics and /healthz (the API serves them on its port).
  METRICS_PORT: port('a port').optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('an http(s) URL (the OTLP collector)').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('an http(s) URL (the OTLP traces endpoint)').optional(),
  OTEL_SERVICE_NAME: z.string().default('switchyard'),
  SWITCHYARD_API_KEY: z.string().min(16, 'expected 16 characters or more').optional(),
  SWITCHYARD_ADMIN_KEY: z.string().min(16, 'expected 16 characters or more').optional(),
  // Set by npm and pnpm in the scripts they run (`pnpm start`): the script's shell is then this
  // process's parent, and when that shell is gone (the package manager was killed) so is Switchyard.
  npm_lifecycle_event: z.string().optional(),
  SWITCHYARD_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'expected whsec_ followed by a base64 secret')
    .optional(),
});

export type Env = z.infer<typeof EnvSchema>;
export type Role = Env['SWITCHYARD_ROLE'];

/** Throws a ConfigError naming every invalid variable (never its value). */
export function parseEnv(variables: Record<string, string | undefined>): Env {
  return parseEnvironment(EnvSchema, variables);
}
