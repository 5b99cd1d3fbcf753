import type { Server } from 'node:http';
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
  /** Counts the requests of each connection of `server`, and replaces its idle-connection reaper. */
  attach(server: Server): void;
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
 * Closing the server closes its idle connections, and to Node a connection accepted a moment
 * ago, whose request is still in the socket, is idle: its client would see a reset after
 * sending the request, and could not tell whether it ran. So only connections that have
 * served a request and hold none are closed as idle; a new one gets its first request served.
 */
export function createDrainGuard(): DrainGuard {
  /** Requests each connection has carried, and how many it is answering now. */
  const carried = new WeakMap<Socket, { total: number; open: number }>();
  const sockets = new Set<Socket>();
  let draining = false;
  return {
    attach(server) {
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      // Before Fastify's own listener, so `onRequest` sees this request counted.
      server.prependListener('request', (request, response) => {
        const counts = carried.get(request.socket) ?? { total: 0, open: 0 };
        counts.total++;
        counts.open++;
        carried.set(request.socket, counts);
        response.once('close', () => {
          counts.open--;
        });
      });
      server.closeIdleConnections = () => {
        for (const socket of sockets) {
          const counts = carried.get(socket);
          if (counts && counts.total > 0 && counts.open === 0) socket.destroy();
        }
      };
    },
    start() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    async onRequest(request, reply) {
      const reused = (carried.get(request.raw.socket)?.total ?? 0) > 1;
      if (draining && reused) {
        await reply.code(503).header('connection', 'close').header('retry-after', '1').send(SHUTTING_DOWN);
      }
    },
  };
}
