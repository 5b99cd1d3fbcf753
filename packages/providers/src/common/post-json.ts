import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ProviderError } from '@switchyard/spec';
import { networkErrorCode, networkOutcome } from './network-outcome.ts';

export interface PostJsonOptions {
  /** Provider id, for the errors. */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** The caller's signal: when it aborts, `signal.reason` is rethrown as is. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** What reading a response's headers takes: `get`, case-insensitive, as on a fetch `Headers`. */
export type HeaderReader = Pick<Headers, 'get'>;

export interface HttpResponse {
  status: number;
  headers: HeaderReader;
  /** The whole body, read once. */
  text: string;
  /** When the response headers arrived (ms since the epoch); reset headers are measured from here. */
  receivedAt: number;
}

/**
 * POSTs a JSON body and reads the whole answer within `timeoutMs`. Resolves with any HTTP
 * status; rejects with a `ProviderError` (`timeout`, `network_error` or
 * `connection_failed`) when no complete
 * answer arrived, or with `signal.reason` when the caller aborted.
 */
export async function postJson(options: PostJsonOptions): Promise<HttpResponse> {
  const { provider, signal, timeoutMs } = options;
  signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const body = JSON.stringify(options.body);

  try {
    if (!options.fetch) return await post(new URL(options.url), options.headers, body, combined);
    const response = await options.fetch(options.url, {
      method: 'POST',
      headers: options.headers,
      body,
      signal: combined,
    });
    const receivedAt = Date.now();
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, receivedAt };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw new ProviderError({
        outcome: 'timeout',
        provider,
        message: `${provider}: no complete answer within ${timeoutMs} ms`,
        cause: error,
      });
    }
    throw new ProviderError({
      outcome: networkOutcome(error),
      provider,
      message: `${provider}: request failed before an answer arrived (${describeNetworkError(error)})`,
      cause: error,
    });
  }
}

/**
 * The POST itself, on Node's keep-alive agents: `fetch` costs 0.3-0.45 ms more per call
 * (measured against the simulator), on the path of every job. Redirects are not followed.
 */
function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal) {
  return new Promise<HttpResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, signal },
      (response) => {
        const receivedAt = Date.now();
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(new Error('the connection closed before the answer was complete'));
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: toHeaders(response.headers),
            text: Buffer.concat(chunks).toString('utf8'),
            receivedAt,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Node's parsed headers behind `Headers.get`: names are lower-case already and repeated values
 * joined with ", ", as `Headers.get` joins them. Building a fetch `Headers` instead validated and
 * copied every header of every answer.
 */
export function toHeaders(incoming: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = incoming[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** `fetch failed (ECONNREFUSED)`: the message plus the system error code undici hides in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = networkErrorCode(error);
  return code === undefined ? error.message : `${error.message} (${code})`;
}
