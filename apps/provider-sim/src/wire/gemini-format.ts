import { countTokens } from '../count-tokens.ts';
import { retryAfterSeconds } from '../format-reset-duration.ts';
import { geminiCallParts, readGeminiFeatures } from './gemini-features.ts';
import {
  type Answer,
  type ChatCall,
  isRecord,
  type Route,
  type SimError,
  splitForStream,
  textOf,
  type WireFormat,
  type WireResponse,
} from './wire-format.ts';

const GEMINI_JSON = { 'content-type': 'application/json; charset=UTF-8' } as const;
const MODEL_ACTION = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const DAY_MS = 86_400_000;

/** Gemini API (`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`). */
export const geminiFormat: WireFormat = {
  kind: 'gemini',

  route(method, path): Route | undefined {
    const action = MODEL_ACTION.exec(path);
    if (action) {
      if (method !== 'POST') return undefined;
      const stream = action[2] === 'streamGenerateContent';
      return { kind: 'generate', model: decodeURIComponent(action[1]!), stream };
    }
    if (method !== 'GET') return undefined;
    if (path === '/v1beta/models') return { kind: 'list-models' };
    if (path.startsWith('/v1beta/models/'))
      return { kind: 'get-model', model: decodeURIComponent(path.slice(15)) };
    return undefined;
  },

  readApiKey(headers, query) {
    const key = headers['x-goog-api-key'];
    if (typeof key === 'string') return key;
    return query.get('key') ?? undefined;
  },

  parseCall(body, route) {
    if (!isRecord(body))
      return { kind: 'invalid-request', message: 'Invalid JSON payload received. Expected an object.' };
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      return {
        kind: 'invalid-request',
        message: '* GenerateContentRequest.contents: contents is not specified\n',
      };
    }
    const system = isRecord(body.systemInstruction) ? textOf(body.systemInstruction.parts) : '';
    let inputTokens = countTokens(system ?? '');
    const userTexts: string[] = [];
    for (const [index, content] of body.contents.entries()) {
      const text = isRecord(content) ? textOf(content.parts) : undefined;
      if (
        !isRecord(content) ||
        text === undefined ||
        (content.role !== undefined && content.role !== 'user' && content.role !== 'model')
      ) {
        return {
          kind: 'invalid-request',
          message: `* GenerateContentRequest.contents[${index}]: expected {role: 'user'|'model', parts: [{text}]}\n`,
        };
      }
      inputTokens += countTokens(text);
      if (content.role !== 'model') userTexts.push(text);
    }
    const generationConfig = isRecord(body.generationConfig) ? body.generationConfig : {};
    const maxTokens = generationConfig.maxOutputTokens;
    if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
      return {
        kind: 'invalid-request',
        message: `* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer, got ${JSON.stringify(maxTokens)}\n`,
      };
    }
    const { extraTokens, ...features } = readGeminiFeatures(body, body.contents);
    return {
      ...features,
      model: route.model ?? '',
      userText: userTexts.join('\n'),
      inputTokens: inputTokens + extraTokens,
      maxTokens: maxTokens as number | undefined,
      stream: route.stream === true,
      includeUsage: true,
    } satisfies ChatCall;
  },

  renderAnswer(answer) {
    return {
      status: 200,
      headers: { ...GEMINI_JSON },
      body: JSON.stringify(
        responseObject(answer, answer.toolCalls ? geminiCallParts(answer) : [{ text: answer.text }], true),
      ),
    };
  },

  renderStream(answer) {
    // Text arrives in pieces; function calls arrive whole, in the last chunk.
    const pieces: Record<string, unknown>[][] = splitForStream(answer.text).map((text) => [{ text }]);
    if (answer.toolCalls) pieces.push(geminiCallParts(answer));
    if (pieces.length === 0) pieces.push([{ text: '' }]);
    const chunks = pieces.map(
      (parts, index) =>
        `data: ${JSON.stringify(responseObject(answer, parts, index === pieces.length - 1))}\r\n\r\n`,
    );
    return { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, chunks };
  },

  renderError(error, _quota, now) {
    return renderGeminiError(error, now);
  },

  renderModels(models) {
    return {
      status: 200,
      headers: { ...GEMINI_JSON },
      body: JSON.stringify({ models: models.map(modelObject) }),
    };
  },

  renderModel(model) {
    return { status: 200, headers: { ...GEMINI_JSON }, body: JSON.stringify(modelObject(model)) };
  },
};

function modelObject(model: { name: string; contextWindow: number }) {
  return {
    name: `models/${model.name}`,
    version: '001',
    displayName: model.name,
    inputTokenLimit: model.contextWindow,
    outputTokenLimit: model.contextWindow,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
  };
}

function responseObject(answer: Answer, parts: Record<string, unknown>[], last: boolean) {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' } };
  if (last) candidate.finishReason = answer.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
  candidate.index = 0;
  return {
    candidates: [candidate],
    usageMetadata: {
      promptTokenCount: answer.inputTokens,
      candidatesTokenCount: answer.outputTokens,
      totalTokenCount: answer.inputTokens + answer.outputTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.inputTokens }],
    },
    modelVersion: answer.model,
    responseId: `sim${answer.sequence.toString(16).padStart(20, '0')}`,
  };
}

function errorResponse(code: number, status: string, message: string, details?: unknown[]): WireResponse {
  const error: Record<string, unknown> = { code, message, status };
  if (details) error.details = details;
  return { status: code, headers: { ...GEMINI_JSON }, body: JSON.stringify({ error }) };
}

function renderGeminiError(error: SimError, now: number): WireResponse {
  switch (error.kind) {
    case 'missing-key':
      return errorResponse(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    case 'bad-key':
      return errorResponse(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
    case 'unknown-route':
      return errorResponse(
        404,
        'NOT_FOUND',
        `Requested entity was not found. (${error.method} ${error.path})`,
      );
    case 'unknown-model':
      return errorResponse(
        404,
        'NOT_FOUND',
        `models/${error.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    case 'bad-json':
      return errorResponse(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${error.detail}`);
    case 'invalid-request':
      return errorResponse(400, 'INVALID_ARGUMENT', error.message);
    case 'context-length': {
      // Gemini counts the input against the model's limit; the output budget is reserved out of it.
      const allowed = error.contextWindow - (error.maxTokens ?? 0);
      return errorResponse(
        400,
        'INVALID_ARGUMENT',
        `The input token count (${error.inputTokens}) exceeds the maximum number of tokens allowed (${allowed}).`,
      );
    }
    case 'rate-limited':
      return errorResponse(429, 'RESOURCE_EXHAUSTED', rateLimitMessage(error), rateLimitDetails(error));
    case 'daily-cap': {
      // The per-day QuotaFailure Gemini sends; its RetryInfo here is the time until the day turns.
      const perDay: RateLimited = {
        kind: 'rate-limited',
        cause: 'limit',
        model: error.model,
        metric: 'requests',
        limit: error.limit,
        perMs: DAY_MS,
        retryAfterMs: error.resetAt - now,
      };
      return errorResponse(429, 'RESOURCE_EXHAUSTED', rateLimitMessage(perDay), rateLimitDetails(perDay));
    }
    case 'server-error':
      return errorResponse(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
    case 'unavailable':
      return errorResponse(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
  }
}

type RateLimited = Extract<SimError, { kind: 'rate-limited' }>;

function quotaNames(error: RateLimited): { metric: string; quotaId: string } {
  const perDay = (error.perMs ?? 0) >= DAY_MS;
  const period = perDay ? 'PerDay' : 'PerMinute';
  if (error.metric === 'tokens') {
    return {
      metric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
      quotaId: `GenerateContentInputTokensPerModel${period}-FreeTier`,
    };
  }
  return {
    metric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
    quotaId: `GenerateRequests${period}PerProjectPerModel-FreeTier`,
  };
}

function rateLimitMessage(error: RateLimited): string {
  const intro =
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
  // An injected 429 has no limit behind it: saying "limit: 0" would claim the model has no quota.
  const limit = error.limit === undefined ? '' : `, limit: ${error.limit}`;
  const quota = `* Quota exceeded for metric: ${quotaNames(error).metric}${limit}, model: ${error.model}`;
  const retry =
    error.retryAfterMs === undefined ? '' : `\nPlease retry in ${(error.retryAfterMs / 1000).toFixed(3)}s.`;
  return `${intro}\n${quota}${retry}`;
}

function rateLimitDetails(error: RateLimited): unknown[] {
  const { metric, quotaId } = quotaNames(error);
  const details: unknown[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: metric,
          quotaId,
          quotaDimensions: { location: 'global', model: error.model },
          ...(error.limit === undefined ? {} : { quotaValue: String(error.limit) }),
        },
      ],
    },
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [
        {
          description: 'Learn more about Gemini API quotas',
          url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
        },
      ],
    },
  ];
  if (error.retryAfterMs !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: `${retryAfterSeconds(error.retryAfterMs)}s`,
    });
  }
  return details;
}
