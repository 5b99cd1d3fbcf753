import { sleep } from './run-pool.ts';

export interface ExactClientOptions {
  /** OpenAI-format base URL of the simulated provider. */
  baseUrl: string;
  model: string;
  prompts: readonly string[];
  maxTokens: number;
  requests: number;
  tokens: number;
  windowMs: number;
  /** Calls in flight at once. */
  concurrency: number;
}

/**
 * The baseline for quota fidelity: one process that knows the provider's limits exactly and
 * nothing else (no Redis, no queue, no other process to agree with). It keeps the same books
 * as Switchyard's quota: a call reserves one request and input + max_tokens tokens while in
 * flight; when the answer arrives it is counted at the answer's time with the tokens used.
 * Counting from the answer (never earlier than the provider's arrival time) is what makes a
 * client that cannot see the provider's clock safe; so it is the best such a client can do.
 * A call is sent the moment both windows admit it. A refusal (429) is not retried: the
 * simulator counts it, and the benchmark reports it.
 */
export async function runExactClient(options: ExactClientOptions): Promise<void> {
  const settled: { at: number; tokens: number }[] = [];
  let oldest = 0;
  let settledTokens = 0;
  let pendingRequests = 0;
  let pendingTokens = 0;
  let next = 0;

  /** Milliseconds until a call of `cost` tokens fits; 0 when it fits now. */
  const waitFor = (cost: number, now: number): number => {
    while (oldest < settled.length && settled[oldest]!.at <= now - options.windowMs) {
      settledTokens -= settled[oldest]!.tokens;
      oldest += 1;
    }
    const requestExcess = settled.length - oldest + pendingRequests + 1 - options.requests;
    const tokenExcess = settledTokens + pendingTokens + cost - options.tokens;
    if (requestExcess <= 0 && tokenExcess <= 0) return 0;
    let wait = 0;
    if (requestExcess > 0) {
      const entry = settled[oldest + requestExcess - 1];
      // Not enough settled entries to free: a call in flight must answer first.
      wait = Math.max(wait, entry ? entry.at + options.windowMs - now : 1);
    }
    if (tokenExcess > 0) {
      let freed = 0;
      let found: number | undefined;
      for (let index = oldest; index < settled.length; index++) {
        freed += settled[index]!.tokens;
        if (freed >= tokenExcess) {
          found = settled[index]!.at + options.windowMs - now;
          break;
        }
      }
      wait = Math.max(wait, found ?? 1);
    }
    return Math.max(1, wait);
  };

  const lane = async () => {
    while (next < options.prompts.length) {
      const prompt = options.prompts[next++]!;
      const cost = Math.ceil(prompt.length / 4) + options.maxTokens;
      for (let wait = waitFor(cost, Date.now()); wait > 0; wait = waitFor(cost, Date.now())) {
        await sleep(wait);
      }
      pendingRequests += 1;
      pendingTokens += cost;
      const response = await fetch(`${options.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sim-key' },
        body: JSON.stringify({
          model: options.model,
          messages: [{ role: 'user', content: prompt }],
          max_tokens: options.maxTokens,
        }),
      });
      const body = (await response.json()) as {
        usage?: { prompt_tokens: number; completion_tokens: number };
      };
      const used = body.usage ? body.usage.prompt_tokens + body.usage.completion_tokens : cost;
      pendingRequests -= 1;
      pendingTokens -= cost;
      settled.push({ at: Date.now(), tokens: used });
      settledTokens += used;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}
