import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type HeaderReader, toHeaders } from './post-json.ts';

export interface PostForStreamOptions {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Aborts the request, and the body while it is being read. */
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/** An answer whose headers have arrived and whose body is read as it comes. */
export interface StreamingResponse {
  status: number;
  headers: HeaderReader;
  /** When the response headers arrived (ms since the epoch). */
  receivedAt: number;
  body: AsyncIterable<Uint8Array>;
}

/**
 * POSTs a JSON body and resolves as soon as the response headers arrive, on the same
 * keep-alive `node:http` agents as `postJson` (or on `fetch` when one is given). Rejects with
 * the transport's error; the caller turns it into a `ProviderError`.
 */
export async function postForStream(options: PostForStreamOptions): Promise<StreamingResponse> {
  const body = JSON.stringify(options.body);
  if (!options.fetch) return post(new URL(options.url), options.headers, body, options.signal);
  const response = await options.fetch(options.url, {
    method: 'POST',
    headers: options.headers,
    body,
    signal: options.signal,
  });
  return {
    status: response.status,
    headers: response.headers,
    receivedAt: Date.now(),
    // Node's web streams are async iterables; the DOM typings of `fetch` do not say so.
    body: (response.body ?? new Blob([]).stream()) as unknown as AsyncIterable<Uint8Array>,
  };
}

/** The whole body as text (for an error answer). */
export async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of body) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}

function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal) {
  return new Promise<StreamingResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, signal },
      // The response is itself an async iterable of Buffers; an abort or a connection closed
      // before the end makes its iteration throw.
      (response) =>
        resolve({
          status: response.statusCode ?? 0,
          headers: toHeaders(response.headers),
          receivedAt: Date.now(),
          body: response,
        }),
    );
    request.on('error', reject);
    request.end(body);
  });
}
