import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';

type Variables = Record<string, string | undefined>;

/**
 * Parses environment variables with `schema` (a z.object keyed by variable name). An empty
 * variable counts as unset, as `FOO=` in a compose file means. Every problem is named by its
 * variable and described by the schema's message: zod's messages never quote the input, so a
 * mistyped secret does not reach a log.
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  variables: Variables,
): z.output<Schema> {
  const set = Object.fromEntries(
    Object.entries(variables).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
    message: issue.message,
  }));
  throw new ConfigError('environment', problems);
}
