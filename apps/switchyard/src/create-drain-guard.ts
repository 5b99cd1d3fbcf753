import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The body of a request refused because the process is stopping. */
export const SHUTTING_DOWN = {
  error: {
    code: 'shutting_down',
    message: 'This Switchyard process is stopping: send the request to another one',
  },
} as const;

export interface DrainGuard {
  /** From now on, refuse further requests on kept-alive connections (see `onRequest`). */
  start(): void;
  readonly draining: boolean;
  /** Fastify `onRequest` hook. */
  onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/**
 * What the API does with a request that arrives while it drains. The listening socket is
 * closed first, so a new connection is refused and the client (or load balancer) goes to
 * another process. A request can still arrive on a connection accepted before that:
 * - the first request on its connection was already on its way when the drain began: it is
 *   served like the requests in flight;
 * - a further request on a kept-alive connection is new work: 503 `shutting_down`, with
 *   `Connection: close` (Fastify adds it while closing) so the client reconnects elsewhere.
 */
export function createDrainGuard(): DrainGuard {
  const used = new WeakSet<Socket>();
  let draining = false;
  return {
    start() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    async onRequest(request, reply) {
      const socket = request.raw.socket;
      const reused = used.has(socket);
      used.add(socket);
      if (draining && reused) {
        await reply.code(503).header('connection', 'close').header('retry-after', '1').send(SHUTTING_DOWN);
      }
    },
  };
}
