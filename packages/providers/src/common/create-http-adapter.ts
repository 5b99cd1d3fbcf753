import type {
  GenerateRequest,
  GenerateResult,
  ProviderAdapter,
  ProviderError,
  ProviderKind,
} from '@switchyard/spec';
import type { AdapterOptions } from './adapter-options.ts';
import type { ResponseContext } from './create-provider-error.ts';
import { parseRateLimitHeaders } from './parse-rate-limit-headers.ts';
import { postJson } from './post-json.ts';

/**
 * One provider's wire format: where to POST, what to send, and how to read the answer.
 * `id`, `apiKey`, `timeoutMs` and `fetch` mean what they do in `AdapterOptions`, so an
 * adapter can spread its options in (`headers` must then be set after the spread).
 */
export interface HttpAdapterDefinition extends Pick<AdapterOptions, 'id' | 'apiKey' | 'timeoutMs' | 'fetch'> {
  kind: ProviderKind;
  /** The complete request headers, authentication included. */
  headers: Record<string, string>;
  url: (request: GenerateRequest) => string;
  toRequestBody: (request: GenerateRequest) => unknown;
  /** The error for a non-2xx answer. */
  mapError: (context: ResponseContext) => ProviderError;
  /** The result of a 2xx answer (or the error it really is). */
  parse: (context: ResponseContext, request: GenerateRequest) => GenerateResult;
}

/**
 * The request/response flow every HTTP adapter shares: POST the JSON body within the timeout,
 * read the rate-limit headers, throw the mapped error on a non-2xx status, else parse.
 */
export function createHttpAdapter(definition: HttpAdapterDefinition): ProviderAdapter {
  const { id, kind, apiKey, headers } = definition;
  return {
    id,
    kind,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const response = await postJson({
        provider: id,
        url: definition.url(request),
        headers,
        body: definition.toRequestBody(request),
        timeoutMs: request.timeoutMs ?? definition.timeoutMs,
        signal: request.signal,
        fetch: definition.fetch,
      });
      const context: ResponseContext = {
        provider: id,
        apiKey,
        response,
        rateLimit: parseRateLimitHeaders(response.headers, response.receivedAt),
      };
      if (response.status < 200 || response.status > 299) throw definition.mapError(context);
      return definition.parse(context, request);
    },
  };
}
