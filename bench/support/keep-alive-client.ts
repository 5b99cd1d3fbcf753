import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One answered request, timed from just before it was written to the end of its body. */
export interface TimedResponse {
  status: number;
  /** `performance.now()` when the request was handed to the agent, and when its body ended. */
  sentAt: number;
  receivedAt: number;
  /** The `x-switchyard-job-id` header, when the answer came from Switchyard. */
  jobId?: string;
}

export interface KeepAliveClient {
  /** POSTs `body` as JSON; never rejects (a network error answers with status 0). */
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<TimedResponse>;
  close(): void;
}

/**
 * A JSON POST client over keep-alive `node:http` connections (at most `maxSockets` at once),
 * so the same client, with the same overhead, can time both sides of a comparison.
 */
export function createKeepAliveClient(maxSockets: number): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    post(url, body, headers = {}) {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve) => {
        const sentAt = performance.now();
        const outgoing = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length },
          },
          (response) => {
            const jobId = response.headers['x-switchyard-job-id'];
            response.resume();
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                sentAt,
                receivedAt: performance.now(),
                ...(typeof jobId === 'string' ? { jobId } : {}),
              }),
            );
            response.on('error', () => resolve({ status: 0, sentAt, receivedAt: performance.now() }));
          },
        );
        outgoing.on('error', () => resolve({ status: 0, sentAt, receivedAt: performance.now() }));
        outgoing.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
