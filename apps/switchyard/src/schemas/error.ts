import { z } from 'zod';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable: switch on this.' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
