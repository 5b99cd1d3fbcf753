import { countTokens } from '../count-tokens.ts';
import { formatResetDuration, retryAfterSeconds } from '../format-reset-duration.ts';
import type { QuotaSnapshot } from '../rate-limiter.ts';
import { openAIMessageOf, openAIToolCallDeltas, readOpenAIFeatures } from './openai-features.ts';
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

/** OpenAI Chat Completions, as served by OpenAI, Groq, OpenRouter, Mistral, Cerebras... */
export const openaiFormat: WireFormat = {
  kind: 'openai',

  route(method, path) {
    if (path === '/v1/chat/completions') return method === 'POST' ? { kind: 'generate' } : undefined;
    if (method !== 'GET') return undefined;
    if (path === '/v1/models') return { kind: 'list-models' };
    if (path.startsWith('/v1/models/'))
      return { kind: 'get-model', model: decodeURIComponent(path.slice(11)) };
    return undefined;
  },

  readApiKey(headers) {
    const authorization = headers.authorization;
    if (!authorization?.startsWith('Bearer ')) return undefined;
    return authorization.slice(7).trim();
  },

  parseCall(body) {
    if (!isRecord(body))
      return { kind: 'invalid-request', message: 'The request body must be a JSON object.' };
    if (typeof body.model !== 'string' || body.model.length === 0) {
      return { kind: 'invalid-request', message: 'you must provide a model parameter', param: 'model' };
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return {
        kind: 'invalid-request',
        message: "Missing required parameter: 'messages'.",
        param: 'messages',
      };
    }
    let inputTokens = 0;
    const userTexts: string[] = [];
    for (const [index, message] of body.messages.entries()) {
      const text = isRecord(message) ? textOf(message.content) : undefined;
      if (!isRecord(message) || typeof message.role !== 'string' || text === undefined) {
        return {
          kind: 'invalid-request',
          message: `Invalid value for 'messages[${index}]': expected an object with a role and a content.`,
          param: `messages[${index}]`,
        };
      }
      inputTokens += countTokens(text);
      if (message.role === 'user') userTexts.push(text);
    }
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    if (
      maxTokens !== undefined &&
      maxTokens !== null &&
      (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)
    ) {
      return {
        kind: 'invalid-request',
        message: `Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got ${JSON.stringify(maxTokens)} instead.`,
        param: 'max_tokens',
      };
    }
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
    const { extraTokens, ...features } = readOpenAIFeatures(body, body.messages);
    return {
      ...features,
      model: body.model,
      userText: userTexts.join('\n'),
      inputTokens: inputTokens + extraTokens,
      maxTokens: (maxTokens as number | null | undefined) ?? undefined,
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage === true,
    } satisfies ChatCall;
  },

  renderAnswer(answer, quota) {
    const body = {
      id: completionId(answer),
      object: 'chat.completion',
      created: answer.created,
      model: answer.model,
      choices: [
        {
          index: 0,
          message: openAIMessageOf(answer),
          logprobs: null,
          finish_reason: answer.finish,
        },
      ],
      usage: usageOf(answer),
      system_fingerprint: 'fp_provider_sim',
    };
    return {
      status: 200,
      headers: { ...JSON_HEADERS, ...requestHeaders(answer), ...rateLimitHeaders(quota) },
      body: JSON.stringify(body),
    };
  },

  renderStream(answer, quota, _now, call) {
    const base = {
      id: completionId(answer),
      object: 'chat.completion.chunk',
      created: answer.created,
      model: answer.model,
    };
    const event = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ ...base, system_fingerprint: 'fp_provider_sim', choices, ...extra })}\n\n`;
    const chunks = [
      event([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
      ...splitForStream(answer.text).map((piece) =>
        event([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]),
      ),
      ...openAIToolCallDeltas(answer).map((delta) =>
        event([{ index: 0, delta, logprobs: null, finish_reason: null }]),
      ),
      event([{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finish }]),
    ];
    if (call.includeUsage) chunks.push(event([], { usage: usageOf(answer) }));
    chunks.push('data: [DONE]\n\n');
    return {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...requestHeaders(answer),
        ...rateLimitHeaders(quota),
      },
      chunks,
    };
  },

  renderError(error, quota, now) {
    return renderOpenaiError(error, quota, now);
  },

  renderModels(models) {
    const data = models.map((model) => ({
      id: model.name,
      object: 'model',
      created: 0,
      owned_by: 'provider-sim',
    }));
    return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify({ object: 'list', data }) };
  },

  renderModel(model) {
    const body = { id: model.name, object: 'model', created: 0, owned_by: 'provider-sim' };
    return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
  },
};

function completionId(answer: Answer): string {
  return `chatcmpl-sim${answer.sequence.toString(16).padStart(20, '0')}`;
}

function usageOf(answer: Answer) {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
  };
}

function requestHeaders(answer: Answer): Record<string, string> {
  return {
    'x-request-id': `req_sim${answer.sequence.toString(16).padStart(20, '0')}`,
    'openai-processing-ms': '0',
  };
}

function rateLimitHeaders(quota: QuotaSnapshot): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const metric of ['requests', 'tokens'] as const) {
    const state = quota[metric];
    if (!state) continue;
    headers[`x-ratelimit-limit-${metric}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${metric}`] = String(state.remaining);
    headers[`x-ratelimit-reset-${metric}`] = formatResetDuration(state.resetMs);
  }
  return headers;
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

function renderOpenaiError(error: SimError, quota: QuotaSnapshot, now: number): WireResponse {
  const json = (status: number, body: string, headers: Record<string, string> = {}): WireResponse => ({
    status,
    headers: { ...JSON_HEADERS, ...headers },
    body,
  });
  switch (error.kind) {
    case 'missing-key':
      return json(
        401,
        errorBody(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          'invalid_request_error',
          null,
        ),
      );
    case 'bad-key':
      return json(
        401,
        errorBody(
          `Incorrect API key provided: ${maskKey(error.key)}.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    case 'unknown-route':
      return json(
        404,
        errorBody(`Invalid URL (${error.method} ${error.path})`, 'invalid_request_error', null),
      );
    case 'unknown-model':
      return json(
        404,
        errorBody(
          `The model \`${error.model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          'model_not_found',
        ),
      );
    case 'bad-json':
      return json(
        400,
        errorBody(
          `We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. ${error.detail})`,
          'invalid_request_error',
          null,
        ),
      );
    case 'invalid-request':
      return json(400, errorBody(error.message, 'invalid_request_error', null, error.param ?? null));
    case 'context-length': {
      const requested =
        error.maxTokens === undefined
          ? `However, your messages resulted in ${error.inputTokens} tokens.`
          : `However, you requested ${error.inputTokens + error.maxTokens} tokens (${error.inputTokens} in the messages, ${error.maxTokens} in the completion).`;
      return json(
        400,
        errorBody(
          `This model's maximum context length is ${error.contextWindow} tokens. ${requested} Please reduce the length of the messages or completion.`,
          'invalid_request_error',
          'context_length_exceeded',
          'messages',
        ),
      );
    }
    case 'rate-limited': {
      const headers: Record<string, string> = { ...rateLimitHeaders(quota) };
      if (error.retryAfterMs !== undefined) {
        headers['retry-after'] = String(retryAfterSeconds(error.retryAfterMs));
        headers['retry-after-ms'] = String(Math.ceil(error.retryAfterMs));
      }
      return json(429, errorBody(rateLimitMessage(error), error.metric, 'rate_limit_exceeded'), headers);
    }
    case 'daily-cap': {
      if (error.answer === 'insufficient-quota') {
        return json(
          429,
          errorBody(
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
            'insufficient_quota',
            'insufficient_quota',
          ),
        );
      }
      // Groq's shape: the requests headers are its requests-per-day quota, spent.
      const wait = formatResetDuration(error.resetAt - now);
      const headers: Record<string, string> = {
        ...rateLimitHeaders(quota),
        'x-ratelimit-limit-requests': String(error.limit),
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': wait,
        'retry-after': String(retryAfterSeconds(error.resetAt - now)),
      };
      const message = `Rate limit reached for model \`${error.model}\` in organization \`org_provider_sim\` service tier \`on_demand\` on requests per day (RPD): Limit ${error.limit}, Used ${error.limit}, Requested 1. Please try again in ${wait}.`;
      return json(429, errorBody(message, 'requests', 'rate_limit_exceeded'), headers);
    }
    case 'server-error':
      return json(
        500,
        errorBody(
          'The server had an error while processing your request. Sorry about that!',
          'server_error',
          null,
        ),
      );
    case 'unavailable':
      return json(
        503,
        errorBody('The engine is currently overloaded, please try again later.', 'server_error', null),
      );
  }
}

function rateLimitMessage(error: Extract<SimError, { kind: 'rate-limited' }>): string {
  const visit = 'Visit https://platform.openai.com/account/rate-limits to learn more.';
  if (error.cause === 'concurrency') {
    return `Rate limit reached for ${error.model}: too many concurrent requests (Limit ${error.limit}). Please try again later.`;
  }
  if (error.cause === 'injected' || error.perMs === undefined) {
    return `Rate limit reached for ${error.model} on ${error.metric}. Please try again in ${formatResetDuration(error.retryAfterMs ?? 1000)}. ${visit}`;
  }
  const window = describeWindow(error.perMs);
  const name = `${error.metric} ${window.long} (${error.metric === 'requests' ? 'R' : 'T'}P${window.short})`;
  if (error.retryAfterMs === undefined) {
    return `Request too large for ${error.model} in organization org-provider-sim on ${name}: Limit ${error.limit}, Requested ${error.requested}. The input or output tokens must be reduced in order to run successfully. ${visit}`;
  }
  return `Rate limit reached for ${error.model} in organization org-provider-sim on ${name}: Limit ${error.limit}, Used ${error.used}, Requested ${error.requested}. Please try again in ${formatResetDuration(error.retryAfterMs)}. ${visit}`;
}

function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}
