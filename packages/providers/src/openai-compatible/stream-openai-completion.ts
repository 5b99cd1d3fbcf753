import { type GenerateRequest, ProviderError, type StreamEvent } from '@switchyard/spec';
import type { ResponseContext } from '../shared/create-provider-error.ts';
import { networkOutcome } from '../shared/network-outcome.ts';
import { parseRateLimitHeaders } from '../shared/parse-rate-limit-headers.ts';
import { postForStream, readText, type StreamingResponse } from '../shared/post-for-stream.ts';
import { MAX_EVENT_CHARACTERS, ParseError, readServerSentEvents } from '../shared/read-server-sent-events.ts';
import { mapOpenAIError } from './map-openai-error.ts';
import { parseOpenAICompletion } from './parse-openai-completion.ts';

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

/**
 * A streamed Chat Completions call (`stream: true`, usage in the last chunk). Yields each text
 * delta as it arrives, then rebuilds the whole completion and checks it with the same parser as
 * a non-streamed answer (usage, finish reason, truncation). Errors are the adapter's errors.
 * Events are parsed by `eventsource-parser`, so any SSE line ending and multi-line `data:` work.
 */
export async function* streamOpenAICompletion(
  options: StreamOptions,
  request: GenerateRequest,
): AsyncGenerator<StreamEvent> {
  const { id } = options;
  const callerSignal = request.signal;
  callerSignal?.throwIfAborted();
  const timeoutMs = request.timeoutMs ?? options.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
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
      body: { ...options.body, stream: true, stream_options: { include_usage: true } },
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
    throw mapOpenAIError(context(response.status, text));
  }

  let content = '';
  let finishReason: unknown = null;
  let usage: unknown;
  let model: unknown;
  let responseId: unknown;
  let finished = false;
  try {
    for await (const { data } of readServerSentEvents(response.body)) {
      if (data === '[DONE]') {
        finished = true;
        continue;
      }
      const chunk = JSON.parse(data) as {
        id?: unknown;
        model?: unknown;
        usage?: unknown;
        choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
      };
      model ??= chunk.model;
      responseId ??= chunk.id;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      const text = choice?.delta?.content;
      if (typeof text === 'string' && text !== '') {
        content += text;
        yield { type: 'delta', text };
      }
    }
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new ProviderError({
        outcome: 'bad_response',
        provider: id,
        message: `${id}: a stream chunk is not JSON`,
      });
    }
    if (error instanceof ParseError) {
      throw new ProviderError({
        outcome: 'bad_response',
        provider: id,
        message: `${id}: a stream event is over ${MAX_EVENT_CHARACTERS} characters`,
      });
    }
    throw failure(error);
  }
  if (!finished) {
    throw new ProviderError({
      outcome: 'bad_response',
      provider: id,
      message: `${id}: the stream ended before [DONE]`,
    });
  }
  const completion = {
    id: responseId,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage,
  };
  yield { type: 'done', result: parseOpenAICompletion(context(200, JSON.stringify(completion)), request) };
}
