import { parseEnvironment } from '@switchyard/config';
import { z } from 'zod';

const PORT_MESSAGE = 'expected a port: a whole number from 0 to 65535';

/** Every environment variable the simulator process reads, typed and defaulted (main.ts parses it once). */
export const SimEnvSchema = z.object({
  /** A YAML or JSON file of simulated providers; without it, the demo set. */
  SIM_CONFIG: z.string().optional(),
  SIM_PORT: z
    .string()
    .regex(/^\d+$/, PORT_MESSAGE)
    .transform(Number)
    .pipe(z.number().max(65_535, PORT_MESSAGE))
    .default(4010),
  SIM_HOST: z.string().default('127.0.0.1'),
});

export type SimEnv = z.infer<typeof SimEnvSchema>;

/** Throws a ConfigError naming every invalid variable. */
export function parseEnv(variables: Record<string, string | undefined>): SimEnv {
  return parseEnvironment(SimEnvSchema, variables);
}
