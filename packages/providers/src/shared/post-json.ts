import { ProviderError } from '@switchyard/spec';

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

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The whole body, read once. */
  text: string;
  /** When the response headers arrived (ms since the epoch); reset headers are measured from here. */
  receivedAt: number;
}

/**
 * POSTs a JSON body and reads the whole answer within `timeoutMs`. Resolves with any HTTP
 * status; rejects with a `ProviderError` (`timeout` or `network_error`) when no complete
 * answer arrived, or with `signal.reason` when the caller aborted.
 */
export async function postJson(options: PostJsonOptions): Promise<HttpResponse> {
  const { provider, signal, timeoutMs } = options;
  signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const fetchImplementation = options.fetch ?? globalThis.fetch;

  try {
    const response = await fetchImplementation(options.url, {
      method: 'POST',
      headers: options.headers,
      body: JSON.stringify(options.body),
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
      outcome: 'network_error',
      provider,
      message: `${provider}: request failed before an answer arrived (${describeNetworkError(error)})`,
      cause: error,
    });
  }
}

/** `fetch failed (ECONNREFUSED)`: the message plus the system error code undici hides in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown } | undefined;
  const code = cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
