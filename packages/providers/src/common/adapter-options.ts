/** What every adapter factory takes; `createAdapter` adds the provider `kind`. */
export interface AdapterOptions {
  /** Provider id from the configuration; carried by every `ProviderError`. */
  id: string;
  /** The API root, e.g. `https://api.openai.com/v1`; a trailing `/` is ignored. */
  baseUrl: string;
  /** Omitted for local servers (Ollama, vLLM) that need no key. */
  apiKey?: string;
  /** Provider timeout for one call; `GenerateRequest.timeoutMs` overrides it. */
  timeoutMs: number;
  /** Extra request headers (e.g. OpenRouter's `HTTP-Referer`, `anthropic-beta`). */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

export function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
