import type { Provider } from './api-types.ts';

/**
 * What the jobs waiting on the providers are waiting for, from GET /v1/providers: each
 * provider that holds waiting jobs while its queue is paused or one of its limits is spent,
 * with the time until it resets; one that is backed off after 429s; one whose daily cap or
 * credits are spent. Undefined when no waiting job is held up (they are only queued).
 * `waiting for gemini-sim quota (resets in 40 s)`.
 */
export function waitReason(providers: readonly Provider[]): string | undefined {
  const reasons = providers.flatMap((provider) => {
    if (provider.queue.waiting + provider.queue.delayed === 0) return [];
    const reason = reasonOf(provider);
    return reason === undefined ? [] : [reason];
  });
  return reasons.length === 0 ? undefined : `waiting for ${reasons.join(', ')}`;
}

function reasonOf(provider: Provider): string | undefined {
  if (provider.exhausted.length > 0) {
    const scopes = provider.exhausted.map((cap) =>
      cap.scope === 'credits' ? 'credits' : `${cap.scope} cap`,
    );
    return `${provider.id} (${[...new Set(scopes)].join(', ')} spent)`;
  }
  if (provider.backoff)
    return `${provider.id} (refusing calls, retried in ${secondsUntil(provider.backoff.until)})`;
  const spent = provider.limits.filter((limit) => limit.unit !== 'concurrency' && limit.remaining <= 0);
  const resetMs = Math.max(provider.queue.paused_ms, ...spent.map((limit) => limit.reset_ms));
  if (provider.queue.paused_ms > 0 || spent.length > 0)
    return `${provider.id} quota (resets in ${Math.max(1, Math.ceil(resetMs / 1000))} s)`;
  return undefined;
}

function secondsUntil(iso: string): string {
  return `${Math.max(1, Math.ceil((Date.parse(iso) - Date.now()) / 1000))} s`;
}
