import { type GenerateRequest, ProviderError } from '@switchyard/spec';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ResponseContext } from './create-provider-error.ts';
import { networkOutcome } from './network-outcome.ts';
import { parseRateLimitHeaders } from './parse-rate-limit-headers.ts';
import { postForStream, readText, type StreamingResponse } from './post-for-stream.ts';
import { MAX_EVENT_CHARACTERS, ParseError, readServerSentEvents } from './read-server-sent-events.ts';

export interface StreamOptions {
  id: string;
  apiKey?: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  timeoutMs: number;
  /** Streams over `fetch` instead of the `node:http` keep-alive agents non-streamed calls use. */
  fetch?: typeof fetch;
}

export interface EventStream {
  /** The events as they arrive; transport and framing failures are thrown as `ProviderError`s. */
  events: AsyncGenerator<EventSourceMessage>;
  /** The context of this answer with another status and body (to parse a rebuilt answer). */
  context(status: number, text: string): ResponseContext;
  /** A `bad_response` error from this provider. */
  badResponse(detail: string): ProviderError;
}

/**
 * Opens a streamed call the way every wire format does: within the timeout and the caller's
 * signal, a non-2xx answer thrown as the format's error, and the body read as server-sent
 * events. A caller's abort rethrows its reason; a stream cut off mid-answer is a `ProviderError`.
 */
export async function openEventStream(
  options: StreamOptions,
  request: GenerateRequest,
  mapError: (context: ResponseContext) => ProviderError,
): Promise<EventStream> {
  const { id } = options;
  const callerSignal = request.signal;
  callerSignal?.throwIfAborted();
  const timeoutMs = request.timeoutMs ?? options.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  const badResponse = (detail: string) =>
    new ProviderError({ outcome: 'bad_response', provider: id, message: `${id}: ${detail}` });
  const failure = (error: unknown): unknown => {
    if (ProviderError.isInstance(error)) return error;
    if (callerSignal?.aborted) return callerSignal.reason;
    if (timeout.aborted) {
      return new ProviderError({
        outcome: 'timeout',
        provider: id,
        message: `${id}: stream not finished within ${timeoutMs} ms`,
      });
    }
    if (error instanceof ParseError)
      return badResponse(`a stream event is over ${MAX_EVENT_CHARACTERS} characters`);
    const message = error instanceof Error ? error.message : String(error);
    return new ProviderError({
      outcome: networkOutcome(error),
      provider: id,
      message: `${id}: stream failed (${message})`,
    });
  };

  let response: StreamingResponse;
  try {
    response = await postForStream({
      url: options.url,
      headers: { ...options.headers, accept: 'text/event-stream' },
      body: options.body,
      signal,
      fetch: options.fetch,
    });
  } catch (error) {
    throw failure(error);
  }
  const { receivedAt } = response;
  const context = (status: number, text: string): ResponseContext => ({
    provider: id,
    apiKey: options.apiKey,
    response: { status, headers: response.headers, text, receivedAt },
    rateLimit: parseRateLimitHeaders(response.headers, receivedAt),
  });
  if (response.status < 200 || response.status > 299) {
    const text = await readText(response.body).catch(() => '');
    throw mapError(context(response.status, text));
  }
  async function* events(): AsyncGenerator<EventSourceMessage> {
    try {
      yield* readServerSentEvents(response.body);
    } catch (error) {
      throw failure(error);
    }
  }
  return { events: events(), context, badResponse };
}

/** One event's JSON data, or a `bad_response` when it is not a JSON object. */
export function parseEventData(stream: EventStream, data: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw stream.badResponse('a stream chunk is not JSON');
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  throw stream.badResponse('a stream chunk is not a JSON object');
}
