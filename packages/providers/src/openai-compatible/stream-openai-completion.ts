import { type GenerateRequest, ProviderError, type StreamEvent } from '@switchyard/spec';
import type { ResponseContext } from '../shared/create-provider-error.ts';
import { networkOutcome } from '../shared/network-outcome.ts';
import { parseRateLimitHeaders } from '../shared/parse-rate-limit-headers.ts';
import { mapOpenAIError } from './map-openai-error.ts';
import { parseOpenAICompletion } from './parse-openai-completion.ts';

export interface StreamOptions {
  id: string;
  apiKey?: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * A streamed Chat Completions call (`stream: true`, usage in the last chunk). Yields each text
 * delta as it arrives, then rebuilds the whole completion and checks it with the same parser as
 * a non-streamed answer (usage, finish reason, truncation). Errors are the adapter's errors.
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

  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(options.url, {
      method: 'POST',
      headers: { ...options.headers, accept: 'text/event-stream' },
      body: JSON.stringify({ ...options.body, stream: true, stream_options: { include_usage: true } }),
      signal,
    });
  } catch (error) {
    throw failure(error);
  }
  const receivedAt = Date.now();
  const context = (status: number, text: string): ResponseContext => ({
    provider: id,
    apiKey: options.apiKey,
    response: { status, headers: response.headers, text, receivedAt },
    rateLimit: parseRateLimitHeaders(response.headers, receivedAt),
  });
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    throw mapOpenAIError(context(response.status, text));
  }

  let content = '';
  let finishReason: unknown = null;
  let usage: unknown;
  let model: unknown;
  let responseId: unknown;
  let finished = false;
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
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
