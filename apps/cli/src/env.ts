import { z } from 'zod';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Every environment variable the CLI reads, typed and defaulted; `--url` and `--key` override them. */
export const CliEnvSchema = z.object({
  SWITCHYARD_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default(DEFAULT_URL),
  SWITCHYARD_API_KEY: z.string().optional(),
});

export type CliEnv = z.infer<typeof CliEnvSchema>;

/** An environment variable the CLI cannot use; names it, never its value. */
export class EnvError extends Error {
  constructor(problems: string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = 'EnvError';
  }
}

/** Parses the CLI's variables (an empty one counts as unset); throws an EnvError naming each invalid one. */
export function parseEnv(variables: Record<string, string | undefined>): CliEnv {
  const set = Object.fromEntries(
    Object.entries(variables).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = CliEnvSchema.safeParse(set);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
}
