import { request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = unknown>(): T;
}

/**
 * One request on a connection of its own (no keep-alive), as a load balancer opens to a
 * backend: a process that is draining refuses the connection, and the caller goes elsewhere.
 */
export function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            json: <T>() => JSON.parse(body) as T,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/**
 * A client behind a load balancer that knows a changing set of API processes: each request
 * goes to the next one in turn, and to another when a connection is refused or reset before
 * any answer. Neither can repeat work: a draining Switchyard never closes a connection whose
 * request it has read (until its drain timeout), so a reset is a connection the kernel had
 * queued when the listener closed, its request unread. Any other failure reaches the caller.
 */
export function createBalancedClient(initial: string[] = []) {
  const backends = [...initial];
  let turn = 0;
  let refusals = 0;
  return {
    add(base: string) {
      backends.push(base);
    },
    remove(base: string) {
      const index = backends.indexOf(base);
      if (index >= 0) backends.splice(index, 1);
    },
    /** Connections refused or reset unanswered (and retried elsewhere) so far. */
    get refusals() {
      return refusals;
    },
    async send(method: string, path: string, options: Parameters<typeof send>[3] = {}): Promise<Answer> {
      for (let tries = 0; ; tries++) {
        const base = backends[turn++ % backends.length];
        if (!base) throw new Error('no backend');
        try {
          return await send(base, method, path, options);
        } catch (error) {
          const { code } = error as NodeJS.ErrnoException;
          if ((code !== 'ECONNREFUSED' && code !== 'ECONNRESET') || tries > 20) throw error;
          refusals++;
        }
      }
    },
  };
}
