import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Liveness and readiness, without authentication. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
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
      // A load balancer stops sending here while the process drains its requests in flight.
      if (app.drainGuard?.draining) return reply.code(503).send({ status: 'draining' });
      try {
        await services.ping();
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'redis unreachable' });
      }
    },
  );
};
