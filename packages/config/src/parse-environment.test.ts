import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { parseEnvironment } from './parse-environment.ts';

const Schema = z.object({
  COUNT: z.coerce.number({ error: 'expected a number' }).default(3),
  TOKEN: z.string().min(16, 'expected 16 characters or more').optional(),
});

describe('parseEnvironment', () => {
  it('applies defaults, counts an empty variable as unset and keeps only the schema’s variables', () => {
    expect(parseEnvironment(Schema, { COUNT: '', OTHER: 'x' })).toEqual({ COUNT: 3 });
  });

  it('names each invalid variable and never echoes its value', () => {
    const token = 'short-secret';
    try {
      parseEnvironment(Schema, { COUNT: 'many', TOKEN: token });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems.map((problem) => problem.path)).toEqual(['COUNT', 'TOKEN']);
      expect(message).toContain('COUNT: expected a number');
      expect(message).not.toContain(token);
    }
  });
});
