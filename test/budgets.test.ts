import type { Job } from '@switchyard/broker';
import { createBudgets } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { countTokens } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';
import { REDIS_URL } from './support/redis-prefix.ts';

// Budgets end to end: a route free -> paid, an overall daily budget, real Redis and workers.

const ACME = 'acme-key-0123456789abcdef';
const FREE = 'budget-free';
const PAID = 'budget-paid';
/** USD per day over all tenants; each paid call costs input tokens x $1,000 per million. */
const BUDGET_USD = 0.06;
const TEXT =
  'The harbour froze in January. Ships waited outside for a week. Then the ice broke and trade resumed.';
/** The simulator counts the prompt's tokens by its own rule; the route sends the prompt alone. */
const INPUT_TOKENS = countTokens(TEXT);
/** The paid model's price: $1,000 per million input tokens, output free. */
const PAID_CALL_USD = (INPUT_TOKENS * 1_000) / 1e6;

let harness: Harness;
let app: App;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      {
        id: FREE,
        format: 'openai',
        models: [{ name: 'm', contextWindow: 4_000 }],
        simulator: { limits: [{ requests: 2, per: '1h' }] },
        switchyard: { tier: 'free', limits: [{ requests: 2, per: '1h' }] },
      },
      {
        id: PAID,
        format: 'openai',
        models: [{ name: 'm', contextWindow: 4_000 }],
        switchyard: {
          tier: 'paid',
          models: [{ name: 'm', contextWindow: 4_000, price: { input: 1_000, output: 0 } }],
        },
      },
    ],
    routes: { main: { targets: [`${FREE}/m`, `${PAID}/m`] } },
    auth: { apiKeys: [{ key: ACME, tenant: 'acme' }] },
    config: {
      budgets: [
        { scope: 'overall', usd: BUDGET_USD, per: 'day' },
        { scope: { tenant: 'globex' }, usd: 0, per: 'month' },
      ],
    },
  });
  app = harness.app;
});

afterAll(() => harness?.close());

/** The harness's configuration with other budgets. */
function rawConfig(budgets: unknown = [{ scope: 'overall', usd: BUDGET_USD, per: 'day' }]) {
  return { ...harness.rawConfig, budgets };
}

const auth = bearer(ACME);

async function submit(): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: auth,
    payload: { route: 'main', prompt: TEXT, max_tokens: 32, deadline: '10m' },
  });
  expect(response.statusCode).toBe(202);
  return response.json().id;
}

async function usage(query = '') {
  const response = await app.inject({ method: 'GET', url: `/v1/usage${query}`, headers: auth });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** The job once it succeeded, or once it waits on a plan without the paid target. */
async function settle(id: string): Promise<Job> {
  return until(
    async () => {
      const job = await harness.services.broker.get(id);
      if (job?.status === 'succeeded') return job;
      if (job?.status === 'queued' && !job.plan.some((target) => target.provider === PAID)) return job;
      if (job?.status === 'failed' || job?.status === 'cancelled') throw new Error(`job ${job.status}`);
      return undefined;
    },
    { timeoutMs: 20_000, message: `job ${id} to settle` },
  );
}

describe('budgets', () => {
  it('goes paid until the budget is spent, then waits for the free provider', async () => {
    const done: Job[] = [];
    let waiting: Job | undefined;
    for (let index = 0; index < 10 && !waiting; index++) {
      const job = await settle(await submit());
      if (job.status !== 'succeeded') {
        waiting = job;
        break;
      }
      done.push(job);
      // The attempt is recorded (in Redis, hence in this process's cache) before the next plan.
      await until(async () => (await usage()).total.requests === done.length, {
        timeoutMs: 10_000,
        message: 'the attempt to be recorded',
      });
    }
    expect(waiting).toBeDefined();

    const onFree = done.filter((job) => job.result?.provider === FREE);
    const onPaid = done.filter((job) => job.result?.provider === PAID);
    expect(onFree).toHaveLength(2);
    const perCall = onPaid[0]!.result!.cost_usd;
    expect(perCall).toBeCloseTo(PAID_CALL_USD, 10);
    // Paid calls went on while spend was under the budget, and stopped at the first one over.
    expect(onPaid).toHaveLength(Math.ceil(BUDGET_USD / perCall));
    expect(onPaid.every((job) => job.result?.cost_usd === perCall)).toBe(true);
    // The free quota was used up, so the paid jobs skipped it (deadline) and went paid.
    expect(onPaid[0]!.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      [FREE, 'skipped'],
      [PAID, 'succeeded'],
    ]);

    // Budget spent: new plans have no paid target, the jobs wait on the free provider.
    const another = await settle(await submit());
    for (const job of [waiting!, another]) {
      expect(job.status).toBe('queued');
      expect(job.plan).toEqual([{ provider: FREE, model: 'm' }]);
      expect(job.attempts).toEqual([]);
    }
    expect((await harness.simulator.stats(PAID)).requests).toBe(onPaid.length);
    expect((await harness.simulator.stats(FREE)).requests).toBe(2);
    expect((await harness.services.broker.get(waiting!.id))?.status).toBe('queued');

    // Another process sees the spend through Redis.
    const redis = new Redis(REDIS_URL);
    const other = createBudgets({ redis, prefix: harness.prefix, config: harness.config });
    try {
      const [free, paid] = harness.config.providers;
      await other.refresh();
      expect(other.budgetAllows(paid!, paid!.models[0]!, 'acme')).toBe(false);
      expect(other.budgetAllows(free!, free!.models[0]!, 'acme')).toBe(true);
    } finally {
      other.close();
      await redis.quit();
    }

    // Usage by provider: the spend, and what the free calls saved against the paid target.
    const byProvider = await usage('?group_by=provider');
    const spent = perCall * onPaid.length;
    expect(byProvider.total.cost_usd).toBeCloseTo(spent, 8);
    expect(byProvider.total.requests).toBe(done.length);
    // The two free calls would have cost what a paid call costs.
    expect(byProvider.total.savings_usd).toBeCloseTo(2 * PAID_CALL_USD, 8);
    const free = byProvider.data.find((group: { key: string }) => group.key === FREE);
    const paid = byProvider.data.find((group: { key: string }) => group.key === PAID);
    expect(free).toMatchObject({ cost_usd: 0, requests: 2 });
    expect(free.savings_usd).toBeCloseTo(2 * PAID_CALL_USD, 8);
    expect(free.input_tokens).toBe(2 * INPUT_TOKENS);
    expect(paid).toMatchObject({ requests: onPaid.length, savings_usd: 0 });
    expect(paid.cost_usd).toBeCloseTo(spent, 8);
    // Only the budgets that apply to acme: the overall one, spent.
    expect(byProvider.budgets).toHaveLength(1);
    expect(byProvider.budgets[0]).toMatchObject({ scope: 'overall', usd: BUDGET_USD, per: 'day' });
    expect(byProvider.budgets[0].spent_usd).toBeCloseTo(spent, 8);
    expect(byProvider.budgets[0].remaining_usd).toBe(0);

    const byRoute = await usage('?group_by=route');
    expect(byRoute.data).toEqual([expect.objectContaining({ key: 'main', requests: done.length })]);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await usage(`?from=${today}&to=${today}&group_by=day`);
    expect(byDay.data).toEqual([expect.objectContaining({ key: today, requests: done.length })]);
    expect((await usage('?from=2000-01-01&to=2000-01-31')).total.requests).toBe(0);
  });

  it('answers 400 to bad dates and ranges', async () => {
    for (const query of [
      '?from=2025-02-30',
      '?to=2025-13-01',
      '?from=yesterday',
      '?from=2025-03-02&to=2025-03-01',
    ]) {
      const response = await app.inject({ method: 'GET', url: `/v1/usage${query}`, headers: auth });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    const unauthenticated = await app.inject({ method: 'GET', url: '/v1/usage' });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('validates the budgets section with the path of each problem', () => {
    expect(parseConfig(rawConfig(), {}).budgets).toEqual([{ scope: 'overall', usd: BUDGET_USD, per: 'day' }]);
    expect(parseConfig({ ...rawConfig(), budgets: undefined }, {}).budgets).toEqual([]);
    expect(() => parseConfig(rawConfig([{ scope: 'overall', usd: 1, per: 'week' }]), {})).toThrow(
      /budgets\[0\]\.per: expected day or month/,
    );
    expect(() => parseConfig(rawConfig([{ scope: 'everyone', usd: 1, per: 'day' }]), {})).toThrow(
      /budgets\[0\]\.scope: expected 'overall' or \{ tenant: <name> \}/,
    );
    expect(() => parseConfig(rawConfig([{ scope: 'overall', usd: -1, per: 'day' }]), {})).toThrow(
      /budgets\[0\]\.usd/,
    );
    expect(() =>
      parseConfig(
        rawConfig([
          { scope: { tenant: 'acme' }, usd: 1, per: 'day' },
          { scope: { tenant: 'acme' }, usd: 2, per: 'day' },
        ]),
        {},
      ),
    ).toThrow(/budgets\[1\]: duplicate budget for tenant acme per day/);
  });
});
