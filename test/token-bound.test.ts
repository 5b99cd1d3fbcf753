import { createBrokerFor } from '@switchyard/app/broker';
import type { Broker, Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// The token quota as a true upper bound: jobs without max_tokens are sent with the limit the
// quota reserved, so a provider enforcing the same tokens-per-window limit never answers 429.

let simulator: Simulator;
const prefixes: string[] = [];
const brokers: Broker[] = [];
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
});

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

/** About 90 input tokens; its summary runs to about 26 output tokens. */
const TEXT =
  'Switchyard spreads work over many providers. Free tiers go first. Paid providers take what the free ones cannot absorb in time. Every job ends with its whole history. '.repeat(
    2,
  );

type Format = 'openai' | 'anthropic' | 'gemini';

/**
 * A simulated provider that counts prompt plus max_tokens against its token limit (as OpenAI
 * does), and a broker given the same limit.
 */
async function startPair(
  format: Format,
  options: {
    tokensPerWindow: number;
    window: string;
    concurrency?: number;
    scheduling?: Record<string, unknown>;
    maxOutputTokens?: number;
    tokenAccounting?: 'usage' | 'max-tokens';
    /** What Switchyard is told the provider counts; default `usage`. */
    providerAccounting?: 'usage' | 'max-tokens';
  },
) {
  const id = `bound-${format}-${++counter}`;
  const limits = [{ tokens: options.tokensPerWindow, per: options.window }];
  simulator.addProvider({
    id,
    format,
    models: [{ name: 'm', contextWindow: 32_000 }],
    limits,
    tokenAccounting: options.tokenAccounting ?? 'max-tokens',
  } as Parameters<Simulator['addProvider']>[0]);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id,
          kind: format,
          baseUrl: simulator.baseUrlFor(id),
          apiKey: 'sim-key',
          tier: 'free',
          dataPolicy: 'may-train',
          models: [
            {
              name: 'm',
              contextWindow: 32_000,
              price: { input: 0.15, output: 0.6 },
              ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
            },
          ],
          limits,
          ...(options.providerAccounting ? { tokenAccounting: options.providerAccounting } : {}),
          concurrency: options.concurrency ?? 4,
          timeout: '10s',
        },
      ],
      routes: { main: { strategy: 'priority', targets: [`${id}/m`] } },
      redis: { url: REDIS_URL, prefix },
      scheduling: { retriesPerTarget: 0, ...options.scheduling },
    },
    {},
  );
  const broker = createBrokerFor(config, { lockDurationMs: 2_000, stalledIntervalMs: 1_000 });
  brokers.push(broker);
  await broker.startWorkers();
  return { id, broker };
}

function submit(broker: Broker, index: number, extra: Partial<Parameters<Broker['submit']>[0]> = {}) {
  return broker.submit({
    tenant: 'acme',
    route: 'main',
    messages: [{ role: 'user', content: `Document ${index}. ${TEXT}` }],
    ...extra,
  });
}

async function finish(broker: Broker, jobs: Job[], timeoutMs = 30_000): Promise<Job[]> {
  return Promise.all(jobs.map((job) => broker.waitFor(job.id, timeoutMs).then((found) => found!)));
}

describe.each<Format>(['openai', 'anthropic', 'gemini'])('jobs without max_tokens on %s', (format) => {
  it('are sent with the reserved output limit: all succeed, the provider never answers 429', async () => {
    // About 106 tokens reserved per job: 9 fit a window, 16 jobs need two windows. Without
    // the limit, the simulator would count its own default output (256) or Anthropic's 4,096.
    const { id, broker } = await startPair(format, {
      tokensPerWindow: 1_000,
      window: '1500ms',
      scheduling: { defaultMaxTokens: 16 },
    });
    const jobs = await Promise.all(Array.from({ length: 16 }, (_, index) => submit(broker, index)));
    const done = await finish(broker, jobs);

    expect(done.map((job) => job.status)).toEqual(jobs.map(() => 'succeeded'));
    // Cut at our default limit: a normal result, not a bad response.
    expect(done.map((job) => job.result?.finish_reason)).toEqual(jobs.map(() => 'length'));
    expect(done.map((job) => job.result?.usage.output_tokens)).toEqual(jobs.map(() => 16));
    const stats = simulator.stats(id);
    expect(stats.rateLimited).toBe(0);
    expect(stats.succeeded).toBe(16);
  });
});

describe('the output limit of a job without max_tokens', () => {
  it("is the model's maxOutputTokens when it declares one", async () => {
    const { id, broker } = await startPair('openai', {
      tokensPerWindow: 1_000,
      window: '1500ms',
      maxOutputTokens: 12,
    });
    const jobs = await Promise.all(Array.from({ length: 8 }, (_, index) => submit(broker, index)));
    const done = await finish(broker, jobs);

    expect(done.map((job) => job.status)).toEqual(jobs.map(() => 'succeeded'));
    expect(done.map((job) => job.result?.usage.output_tokens)).toEqual(jobs.map(() => 12));
    expect(simulator.stats(id).rateLimited).toBe(0);
  });
});

describe('a provider that counts max_tokens whatever the output', () => {
  it('keeps the whole reservation counted after the answer: no 429', async () => {
    // Each job reserves about 290 tokens and uses about 113: settling to the usage would free
    // 177 tokens our quota would hand out again while the provider still counts them.
    const { id, broker } = await startPair('openai', {
      tokensPerWindow: 1_500,
      window: '1500ms',
      tokenAccounting: 'max-tokens',
      providerAccounting: 'max-tokens',
    });
    const jobs = await Promise.all(
      Array.from({ length: 12 }, (_, index) => submit(broker, index, { maxTokens: 200 })),
    );
    const done = await finish(broker, jobs);

    expect(done.map((job) => job.status)).toEqual(jobs.map(() => 'succeeded'));
    expect(done.every((job) => job.result!.usage.output_tokens < 200)).toBe(true);
    expect(simulator.stats(id).rateLimited).toBe(0);
  });
});

describe('a job too large for the tokens left', () => {
  it('waits without holding back the smaller jobs behind it, and runs within about a window', async () => {
    const windowMs = 2_000;
    // Small jobs reserve about 103 tokens, the large one about 1,290: a window holds 19 small.
    // The simulator counts the tokens used (our settle does too; see docs/quotas.md).
    const { id, broker } = await startPair('openai', {
      tokensPerWindow: 2_000,
      window: `${windowMs}ms`,
      scheduling: { defaultMaxTokens: 16 },
      tokenAccounting: 'usage',
    });
    const first = await finish(
      broker,
      await Promise.all(Array.from({ length: 8 }, (_, index) => submit(broker, index))),
    );
    expect(first.map((job) => job.status)).toEqual(first.map(() => 'succeeded'));

    // About 1,180 tokens are left: not enough for the large job, room for 11 small ones.
    const large = await submit(broker, 100, { maxTokens: 1_200 });
    const submittedAt = Date.now();
    const behind = await Promise.all(Array.from({ length: 30 }, (_, index) => submit(broker, 200 + index)));
    const [largeDone] = await finish(broker, [large]);
    const behindDone = await finish(broker, behind);

    expect(largeDone!.status).toBe('succeeded');
    expect(behindDone.map((job) => job.status)).toEqual(behind.map(() => 'succeeded'));
    const largeStartedAt = Date.parse(largeDone!.attempts.at(-1)!.started_at);
    const smallBeforeLarge = behindDone.filter(
      (job) => Date.parse(job.completed_at!) <= largeStartedAt,
    ).length;
    // Pausing the provider for the large job would have let at most the few small jobs picked
    // up together with it through.
    expect(smallBeforeLarge).toBeGreaterThanOrEqual(8);
    // Its turn came within about one window (two at most, see deferLargeJob).
    expect(largeStartedAt - submittedAt).toBeLessThan(2 * windowMs + 1_000);
    expect(simulator.stats(id).rateLimited).toBe(0);
  });
});
