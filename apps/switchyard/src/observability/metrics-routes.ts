import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAdminAuthenticator } from '../plugins/authentication.ts';
import { ErrorResponse } from '../schemas/error.ts';

/**
 * `GET /metrics` in the Prometheus text format, behind an admin key (Bearer, x-api-key or
 * basic auth). Registered as its own encapsulated plugin, so the admin check covers this
 * route and nothing else.
 */
export const metricsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const registry = services.metrics;
  app.addHook('onRequest', createAdminAuthenticator(services.config));
  app.get(
    '/metrics',
    {
      schema: {
        hide: true,
        response: { 200: z.string(), 401: ErrorResponse },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
};
