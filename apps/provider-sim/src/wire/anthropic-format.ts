import { countTokens } from '../count-tokens.ts';
import { retryAfterSeconds } from '../format-reset-duration.ts';
import type { QuotaSnapshot } from '../rate-limiter.ts';
import { anthropicContentOf, anthropicToolUseEvents, readAnthropicFeatures } from './anthropic-features.ts';
import {
  type Answer,
  type ChatCall,
  describeWindow,
  isRecord,
  JSON_HEADERS,
  type SimError,
  splitForStream,
  textOf,
  type WireFormat,
  type WireResponse,
} from './wire-format.ts';

/** Anthropic Messages API (`POST /v1/messages`). */
export const anthropicFormat: WireFormat = {
  kind: 'anthropic',

  route(method, path) {
    if (path === '/v1/messages') return method === 'POST' ? { kind: 'generate' } : undefined;
    if (method !== 'GET') return undefined;
    if (path === '/v1/models') return { kind: 'list-models' };
    if (path.startsWith('/v1/models/'))
      return { kind: 'get-model', model: decodeURIComponent(path.slice(11)) };
    return undefined;
  },

  readApiKey(headers) {
    const key = headers['x-api-key'];
    return typeof key === 'string' ? key : undefined;
  },

  parseCall(body) {
    if (!isRecord(body)) return { kind: 'invalid-request', message: 'body: Input should be an object' };
    if (typeof body.model !== 'string' || body.model.length === 0) {
      return { kind: 'invalid-request', message: 'model: Field required' };
    }
    if (body.max_tokens === undefined)
      return { kind: 'invalid-request', message: 'max_tokens: Field required' };
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
      return { kind: 'invalid-request', message: 'max_tokens: Input should be greater than or equal to 1' };
    }
    if (!Array.isArray(body.messages))
      return { kind: 'invalid-request', message: 'messages: Field required' };
    const system = textOf(body.system);
    if (system === undefined)
      return { kind: 'invalid-request', message: 'system: Input should be a valid string' };
    let inputTokens = countTokens(system);
    const userTexts: string[] = [];
    for (const [index, message] of body.messages.entries()) {
      const text = isRecord(message) ? textOf(message.content) : undefined;
      if (
        !isRecord(message) ||
        (message.role !== 'user' && message.role !== 'assistant') ||
        text === undefined
      ) {
        return {
          kind: 'invalid-request',
          message: `messages.${index}: expected {role: 'user'|'assistant', content: string or content blocks}`,
        };
      }
      inputTokens += countTokens(text);
      if (message.role === 'user') userTexts.push(text);
    }
    const { extraTokens, ...features } = readAnthropicFeatures(body, body.messages);
    return {
      ...features,
      model: body.model,
      userText: userTexts.join('\n'),
      inputTokens: inputTokens + extraTokens,
      maxTokens: body.max_tokens as number,
      stream: body.stream === true,
      includeUsage: false,
    } satisfies ChatCall;
  },

  renderAnswer(answer, quota, now) {
    const body = {
      id: messageId(answer),
      type: 'message',
      role: 'assistant',
      model: answer.model,
      content: anthropicContentOf(answer),
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: {
        input_tokens: answer.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: answer.outputTokens,
      },
    };
    return {
      status: 200,
      headers: { ...JSON_HEADERS, ...requestHeaders(answer.sequence), ...rateLimitHeaders(quota, now) },
      body: JSON.stringify(body),
    };
  },

  renderStream(answer, quota, now) {
    const event = (type: string, data: Record<string, unknown>) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const chunks = [
      event('message_start', {
        message: {
          id: messageId(answer),
          type: 'message',
          role: 'assistant',
          model: answer.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: answer.inputTokens, output_tokens: 1 },
        },
      }),
      ...(answer.toolCalls
        ? [event('ping', {}), ...anthropicToolUseEvents(answer, 0, event)]
        : [
            event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
            event('ping', {}),
            ...splitForStream(answer.text).map((text) =>
              event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
            ),
            event('content_block_stop', { index: 0 }),
          ]),
      event('message_delta', {
        delta: { stop_reason: stopReason(answer), stop_sequence: null },
        usage: { output_tokens: answer.outputTokens },
      }),
      event('message_stop', {}),
    ];
    return {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...requestHeaders(answer.sequence),
        ...rateLimitHeaders(quota, now),
      },
      chunks,
    };
  },

  renderError(error, quota, now) {
    return renderAnthropicError(error, quota, now);
  },

  renderModels(models) {
    const data = models.map(modelObject);
    const body = { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
  },

  renderModel(model) {
    return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify(modelObject(model)) };
  },
};

function modelObject(model: { name: string }) {
  return { type: 'model', id: model.name, display_name: model.name, created_at: '2025-01-01T00:00:00Z' };
}

function messageId(answer: Answer): string {
  return `msg_sim${answer.sequence.toString(16).padStart(20, '0')}`;
}

function stopReason(answer: Answer): 'end_turn' | 'max_tokens' | 'tool_use' {
  if (answer.finish === 'tool_calls') return 'tool_use';
  return answer.finish === 'length' ? 'max_tokens' : 'end_turn';
}

function requestHeaders(sequence: number): Record<string, string> {
  return { 'request-id': `req_sim${sequence.toString(16).padStart(20, '0')}` };
}

/** RFC 3339 instant, rounded up to the second like Anthropic's own headers. */
function resetInstant(now: number, resetMs: number): string {
  return new Date(Math.ceil((now + resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function rateLimitHeaders(quota: QuotaSnapshot, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const metric of ['requests', 'tokens'] as const) {
    const state = quota[metric];
    if (!state) continue;
    headers[`anthropic-ratelimit-${metric}-limit`] = String(state.limit);
    headers[`anthropic-ratelimit-${metric}-remaining`] = String(state.remaining);
    headers[`anthropic-ratelimit-${metric}-reset`] = resetInstant(now, state.resetMs);
  }
  return headers;
}

let errorSequence = 0;

function errorResponse(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): WireResponse {
  errorSequence += 1;
  return {
    status,
    headers: { ...JSON_HEADERS, ...requestHeaders(errorSequence), ...headers },
    body: JSON.stringify({ type: 'error', error: { type, message } }),
  };
}

function renderAnthropicError(error: SimError, quota: QuotaSnapshot, now: number): WireResponse {
  switch (error.kind) {
    case 'missing-key':
      return errorResponse(401, 'authentication_error', 'x-api-key header is required');
    case 'bad-key':
      return errorResponse(401, 'authentication_error', 'invalid x-api-key');
    case 'unknown-route':
      return errorResponse(404, 'not_found_error', 'Not Found');
    case 'unknown-model':
      return errorResponse(404, 'not_found_error', `model: ${error.model}`);
    case 'bad-json':
      return errorResponse(400, 'invalid_request_error', `Invalid JSON in request body: ${error.detail}`);
    case 'invalid-request':
      return errorResponse(400, 'invalid_request_error', error.message);
    case 'context-length':
      if (error.inputTokens > error.contextWindow || error.maxTokens === undefined) {
        return errorResponse(
          400,
          'invalid_request_error',
          `prompt is too long: ${error.inputTokens} tokens > ${error.contextWindow} maximum`,
        );
      }
      return errorResponse(
        400,
        'invalid_request_error',
        `input length and \`max_tokens\` exceed context limit: ${error.inputTokens} + ${error.maxTokens} > ${error.contextWindow}, decrease input length or \`max_tokens\` and try again`,
      );
    case 'rate-limited': {
      const headers: Record<string, string> = { ...rateLimitHeaders(quota, now) };
      if (error.retryAfterMs !== undefined)
        headers['retry-after'] = String(retryAfterSeconds(error.retryAfterMs));
      return errorResponse(429, 'rate_limit_error', rateLimitMessage(error), headers);
    }
    case 'daily-cap': {
      const headers: Record<string, string> = {
        ...rateLimitHeaders(quota, now),
        'anthropic-ratelimit-requests-limit': String(error.limit),
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': resetInstant(now, error.resetAt - now),
        'retry-after': String(retryAfterSeconds(error.resetAt - now)),
      };
      const message = `This request would exceed the rate limit for your organization of ${error.limit} requests per day. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage.`;
      return errorResponse(429, 'rate_limit_error', message, headers);
    }
    case 'server-error':
      return errorResponse(500, 'api_error', 'Internal server error');
    case 'unavailable':
      return errorResponse(529, 'overloaded_error', 'Overloaded');
  }
}

function rateLimitMessage(error: Extract<SimError, { kind: 'rate-limited' }>): string {
  const tail =
    'For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. ' +
    'Please reduce the prompt length or the maximum tokens requested, or try again later.';
  if (error.cause === 'concurrency') {
    return `Number of concurrent connections has exceeded your rate limit (${error.limit}). Please try again later.`;
  }
  if (error.cause === 'injected' || error.perMs === undefined) {
    return `This request would exceed your organization's rate limit. ${tail}`;
  }
  const unit = error.metric === 'requests' ? 'requests' : 'tokens';
  return `This request would exceed the rate limit for your organization of ${error.limit} ${unit} ${describeWindow(error.perMs).long}. ${tail}`;
}
