import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Services } from './create-services.ts';
import { metricsRoutes } from './observability/metrics-routes.ts';
import { createApiKeyAuthenticator } from './plugins/authentication.ts';
import { bullBoard } from './plugins/bull-board.ts';
import { errorHandler } from './plugins/error-handler.ts';
import { openApi } from './plugins/openapi.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { openAIRoutes } from './routes/openai.ts';
import { providerRoutes } from './routes/providers.ts';
import { usageRoutes } from './routes/usage.ts';

/** Largest JSON body accepted (a job with long documents); file uploads have their own limit. */
export const BODY_LIMIT = 8 * 1024 * 1024;

/** Builds the HTTP API. It does not listen: `server.ts` does, and tests use `app.inject`. */
export async function buildApp(
  services: Services,
  options: {
    logger?: Logger | false;
    /** Called for every route as it is registered (tests enumerate the route table with it). */
    onRoute?: (route: { method: string; url: string }) => void;
  } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (options.logger || undefined) as FastifyBaseLogger | undefined,
    logger: options.logger === undefined ? false : undefined,
    bodyLimit: BODY_LIMIT,
    // Long ids reach the schemas, which answer 400 naming the field, instead of the router's 414.
    routerOptions: { maxParamLength: 512 },
    // What the router refuses before any route runs (a bad %-encoding, a param over 512
    // characters) gets the same coded error body as everything else.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return (reply as FastifyReply)
        .code(tooLong ? 414 : 400)
        .send({ error: { code: tooLong ? 'uri_too_long' : 'invalid_url', message: error.message } });
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (options.onRoute) {
    const report = options.onRoute;
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) report({ method: String(method), url: route.url });
    });
  }
  // JSON only (multipart for file uploads): anything else is 415, not a string to validate.
  app.removeContentTypeParser('text/plain');

  await app.register(errorHandler);
  await app.register(openApi);
  await app.register(healthRoutes, { services });
  await app.register(bullBoard, { services });
  await app.register(metricsRoutes, { services });
  await app.register(
    async (v1) => {
      v1.decorateRequest('tenant', '');
      v1.addHook('onRequest', createApiKeyAuthenticator(services.config));
      await v1.register(jobRoutes, { services });
      await v1.register(providerRoutes, { services });
      await v1.register(openAIRoutes, { services });
      await v1.register(usageRoutes, { services });
      for (const routes of services.extraRoutes) await v1.register(routes, { services });
    },
    { prefix: '' },
  );
  return app;
}
