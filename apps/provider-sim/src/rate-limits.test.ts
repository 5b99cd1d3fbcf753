import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from './count-tokens.ts';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { type HttpResult, send, sleep } from './test-support.ts';

const model = { name: 'm', contextWindow: 100_000 };
let clock = 1_700_000_000_000;
let realClock: Simulator;
let fakeClock: Simulator;

beforeAll(async () => {
  realClock = await startSimulator({
    providers: [
      { id: 'burst', format: 'openai', models: [model], limits: [{ requests: 5, per: '1s' }] },
      {
        id: 'narrow',
        format: 'openai',
        models: [model],
        concurrency: 2,
        latency: { kind: 'fixed', ms: 150 },
      },
    ],
  });
  fakeClock = await startSimulator({
    now: () => clock,
    providers: [
      { id: 'steady', format: 'openai', models: [model], limits: [{ requests: 5, per: '1s' }] },
      { id: 'tokens', format: 'openai', models: [model], limits: [{ tokens: 200, per: '1m' }] },
    ],
  });
});

afterAll(async () => {
  await realClock?.close();
  await fakeClock?.close();
});

beforeEach(() => {
  realClock.reset();
  fakeClock.reset();
});

function complete(
  simulator: Simulator,
  id: string,
  content = 'Hello there.',
  extra: Record<string, unknown> = {},
) {
  return send(`${simulator.baseUrlFor(id)}/chat/completions`, {
    body: { model: 'm', messages: [{ role: 'user', content }], ...extra },
  });
}

function statuses(results: HttpResult[]): number[] {
  return results.map((result) => result.status).sort();
}

describe('request limits (real clock)', () => {
  it('admits exactly the limit from a burst and tells the others when to come back', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => complete(realClock, 'burst')));
    expect(statuses(results)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);

    const refused = results.filter((result) => result.status === 429);
    for (const result of refused) {
      const retryAfterMs = Number(result.headers.get('retry-after-ms'));
      // A real clock: what is left of the window depends on when the burst landed.
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(1_000);
      expect(result.headers.get('retry-after')).toBe('1');
      expect(result.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(result.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(result.json.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
      expect(result.json.error.message).toMatch(
        /^Rate limit reached for m .* Limit 5, Used 5, Requested 1\./,
      );
    }

    // Come back after exactly the advertised time (the longest one, measured from the last refusal).
    const wait = Math.max(...refused.map((result) => Number(result.headers.get('retry-after-ms'))));
    await sleep(wait);
    const again = await complete(realClock, 'burst');
    expect(again.status).toBe(200);
    expect(realClock.stats('burst')).toMatchObject({ requests: 9, succeeded: 6, rateLimited: 3 });
  });
});

describe('request limits (injected clock)', () => {
  it('admits exactly the limit in every sliding window over three windows', async () => {
    const start = clock;
    const admitted: number[] = [];
    for (let step = 0; step < 30; step += 1) {
      clock = start + step * 100;
      const result = await complete(fakeClock, 'steady');
      if (result.status === 200) {
        admitted.push(clock - start);
        continue;
      }
      expect(result.status).toBe(429);
      // The advertised wait is exact: the oldest admission in the window leaves then.
      const inWindow = admitted.filter((time) => time > clock - start - 1_000);
      expect(Number(result.headers.get('retry-after-ms'))).toBe(inWindow[0]! + 1_000 - (clock - start));
    }
    expect(admitted).toEqual([
      0, 100, 200, 300, 400, 1000, 1100, 1200, 1300, 1400, 2000, 2100, 2200, 2300, 2400,
    ]);
    for (const window of [0, 1, 2]) {
      const inWindow = admitted.filter((time) => time >= window * 1_000 && time < (window + 1) * 1_000);
      expect(inWindow).toHaveLength(5);
    }
    expect(fakeClock.stats('steady')).toMatchObject({ requests: 30, succeeded: 15, rateLimited: 15 });
  });

  it('admits again at exactly the advertised instant, not a millisecond before', async () => {
    const start = clock;
    for (let index = 0; index < 5; index += 1) expect((await complete(fakeClock, 'steady')).status).toBe(200);
    clock = start + 250;
    const refused = await complete(fakeClock, 'steady');
    const retryAfterMs = Number(refused.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBe(750);
    clock = start + 250 + retryAfterMs - 1;
    expect((await complete(fakeClock, 'steady')).status).toBe(429);
    clock = start + 250 + retryAfterMs;
    expect((await complete(fakeClock, 'steady')).status).toBe(200);
    clock = start + 10_000;
  });
});

describe('token limits (injected clock)', () => {
  it('counts input + output tokens of each answer and refuses the request that would exceed', async () => {
    const start = clock;
    const content = 'Token limits count both what you send and what you get back.';
    const used: number[] = [];
    let refused: HttpResult | undefined;
    for (let index = 0; index < 10 && !refused; index += 1) {
      clock = start + index * 1_000;
      const result = await complete(fakeClock, 'tokens', content);
      if (result.status === 429) refused = result;
      else {
        expect(result.json.usage.prompt_tokens).toBe(countTokens(content));
        used.push(result.json.usage.total_tokens);
        const remaining = 200 - used.reduce((sum, tokens) => sum + tokens, 0);
        expect(result.headers.get('x-ratelimit-remaining-tokens')).toBe(String(remaining));
      }
    }
    const perRequest = used[0]!;
    expect(used.length).toBe(Math.floor(200 / perRequest));
    expect(refused?.json.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    // The first answer (at `start`) leaves the one-minute window first.
    const retryAfterMs = Number(refused?.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBe(60_000 - used.length * 1_000);
    expect(refused?.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
    clock += retryAfterMs;
    expect((await complete(fakeClock, 'tokens', content)).status).toBe(200);
    clock += 120_000;
  });

  it('answers a request larger than the whole limit with 429 and no Retry-After', async () => {
    const result = await complete(fakeClock, 'tokens', 'x'.repeat(1_000));
    expect(result.status).toBe(429);
    expect(result.headers.get('retry-after')).toBeNull();
    expect(result.json.error.message).toMatch(/^Request too large for m/);
  });

  it('can count max_tokens instead of the answer (tokenAccounting: max-tokens)', async () => {
    fakeClock.configure('tokens', { tokenAccounting: 'max-tokens' });
    try {
      const first = await complete(fakeClock, 'tokens', 'Short.', { max_tokens: 150 });
      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(
        String(200 - countTokens('Short.') - 150),
      );
      expect((await complete(fakeClock, 'tokens', 'Short.', { max_tokens: 150 })).status).toBe(429);
    } finally {
      fakeClock.configure('tokens', { tokenAccounting: null });
      clock += 120_000;
    }
  });
});

describe('concurrency', () => {
  it('refuses requests above the concurrency limit while others are in flight', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => complete(realClock, 'narrow')));
    expect(statuses(results)).toEqual([200, 200, 429, 429]);
    for (const result of results.filter((each) => each.status === 429)) {
      const retryAfterMs = Number(result.headers.get('retry-after-ms'));
      // A real clock: the hint is the time until the first call in flight ends.
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(150);
      expect(result.json.error.message).toContain('concurrent');
    }
    const stats = realClock.stats('narrow');
    expect(stats).toMatchObject({ maxInFlight: 2, inFlight: 0, succeeded: 2, rateLimited: 2 });
    expect(stats.log.filter((entry) => entry.outcome === 'concurrency_limited')).toHaveLength(2);
    expect(stats.log.find((entry) => entry.status === 200)?.latencyMs).toBe(150);
    expect((await complete(realClock, 'narrow')).status).toBe(200);
  });
});
