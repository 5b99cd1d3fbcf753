import { type ProviderAdapter, ProviderError } from '@switchyard/spec';

/** Shorter values (`1`, `true`) would redact ordinary words; secrets are longer. */
const MIN_REDACTED_LENGTH = 8;

/**
 * The adapter, with the values of the provider's configured extra headers (a proxy's
 * `Helicone-Auth`, a gateway key) redacted from its errors, as the API key already is: a
 * proxy that refuses a request may echo the header back, and the error reaches the job's
 * attempts, the API and the log.
 */
export function redactHeaderValues(
  adapter: ProviderAdapter,
  headers: Record<string, string> | undefined,
): ProviderAdapter {
  const secrets = Object.values(headers ?? {}).filter((value) => value.length >= MIN_REDACTED_LENGTH);
  if (secrets.length === 0) return adapter;
  const redact = (text: string) =>
    secrets.reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), text);
  const redacted = (error: unknown): unknown => {
    if (!ProviderError.isInstance(error)) return error;
    return new ProviderError({
      outcome: error.outcome,
      provider: error.provider,
      message: redact(error.message),
      statusCode: error.statusCode,
      retryAfterMs: error.retryAfterMs,
      rateLimit: error.rateLimit,
      exhausted: error.exhausted,
      responseBody: error.responseBody === undefined ? undefined : redact(error.responseBody),
      cause: error.cause,
    });
  };
  const { stream } = adapter;
  return {
    ...adapter,
    async generate(request) {
      try {
        return await adapter.generate(request);
      } catch (error) {
        throw redacted(error);
      }
    },
    ...(stream
      ? {
          async *stream(request) {
            try {
              yield* stream.call(adapter, request);
            } catch (error) {
              throw redacted(error);
            }
          },
        }
      : {}),
  };
}
