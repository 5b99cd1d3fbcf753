import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Services } from '../create-services.ts';
import { healthRoutes } from '../routes/health.ts';
import { metricsRoutes } from './metrics-routes.ts';

/**
 * The small HTTP server of a worker-role process: `/metrics` (its own counters, behind an
 * admin key, as on the API) and `/healthz` and `/readyz`. An API or `all` process serves the
 * same routes on its API port. Prometheus scrapes every process and sums the counters.
 */
export async function startMetricsServer(
  services: Services,
  listen: { port: number; host: string },
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('services', services);
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  try {
    await app.listen(listen);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
