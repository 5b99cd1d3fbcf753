import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';
import { createAdminAuthenticator } from './authentication.ts';

const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue: one per provider, deadlines, finalize, webhooks, batch
 * submission. Registered in its own (encapsulated) context so the admin check covers the
 * dashboard, its API and its assets, and nothing else.
 */
export const bullBoard: FastifyPluginAsync = async (app) => {
  const { services } = app;
  const { broker, config } = services;
  const serverAdapter = new FastifyAdapter();
  const queues = [
    ...config.providers.map((provider) => broker.queue(broker.keys.providerQueue(provider.id))),
    ...services.extraQueueNames.map((name) => broker.queue(name)),
  ];
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Switchyard' } },
  });
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  app.addHook('onRequest', createAdminAuthenticator(config));
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
};
