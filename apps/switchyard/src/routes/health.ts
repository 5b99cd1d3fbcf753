import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../create-services.ts';

/** Liveness and readiness, without authentication. */
export const healthRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        response: { 200: z.object({ status: z.string() }), 503: z.object({ status: z.string() }) },
      },
    },
    async (_request, reply) => {
      try {
        await services.redis.ping();
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'redis unreachable' });
      }
    },
  );
};
