import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { ApiError } from './api-error.ts';
import { createDrainGuard, type DrainGuard } from './create-drain-guard.ts';
import type { Services } from './create-services.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';
import { metricsRoutes } from './observability/metrics-routes.ts';
import { createApiKeyAuthenticator } from './plugins/authentication.ts';
import { bullBoard } from './plugins/bull-board.ts';
import { errorHandler } from './plugins/error-handler.ts';
import { openApi } from './plugins/openapi.ts';
import { createRequestLimiter, createStreamLimiter } from './plugins/tenant-limits.ts';
import { anthropicMessagesRoutes } from './routes/anthropic-messages.ts';
import { batchRoutes } from './routes/batches.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { openAIRoutes } from './routes/openai.ts';
import { providerAdminRoutes, providerRoutes } from './routes/providers.ts';
import { usageRoutes } from './routes/usage.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The process's services: broker, batches, files, webhooks, health, budgets, metrics. */
    services: Services;
    /** Whether the API is draining (closing); see create-drain-guard.ts. */
    drainGuard: DrainGuard;
  }
}

/** Largest JSON body accepted (a job with long documents); file uploads have their own limit. */
const BODY_LIMIT = 8 * 1024 * 1024;

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
    // The drain guard answers instead, with a coded body, and serves requests already on their way.
    return503OnClosing: false,
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
  // Fastify's own JSON parser (prototype poisoning refused), after a depth check: a deeply
  // nested body is a 400, not a stack overflow.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      done(
        new ApiError(400, 'invalid_json', `The body nests deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    parseJson(request, body as string, done);
  });

  // Every route reads the services from this decorator: no route builds its own.
  app.decorate('services', services);
  const drainGuard = createDrainGuard();
  drainGuard.attach(app.server);
  app.decorate('drainGuard', drainGuard);
  app.addHook('onRequest', drainGuard.onRequest);
  app.addHook('preClose', async () => drainGuard.start());
  await app.register(errorHandler);
  await app.register(openApi);
  await app.register(healthRoutes);
  await app.register(bullBoard);
  await app.register(metricsRoutes);
  await app.register(providerAdminRoutes);
  await app.register(
    async (v1) => {
      v1.decorateRequest('tenant', '');
      v1.addHook('onRequest', createApiKeyAuthenticator(services.config));
      v1.addHook('onRequest', createRequestLimiter(services.broker.tenantLimits));
      v1.addHook('preHandler', createStreamLimiter(services.broker.tenantLimits));
      for (const routes of [jobRoutes, providerRoutes, openAIRoutes, usageRoutes, fileRoutes, batchRoutes])
        await v1.register(routes);
      await v1.register(anthropicMessagesRoutes);
    },
    { prefix: '' },
  );
  return app;
}
