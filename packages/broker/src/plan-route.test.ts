import { parseConfig } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { BrokerError } from './broker-error.ts';
import { planRoute } from './plan-route.ts';

const provider = (id: string, extra: Record<string, unknown>) => ({
  id,
  kind: 'openai',
  baseUrl: 'http://127.0.0.1:1/v1',
  models: [{ name: 'm', contextWindow: 8_000, price: { input: 1, output: 1 } }],
  ...extra,
});

const config = parseConfig(
  {
    providers: [
      provider('free', { tier: 'free', dataPolicy: 'may-train' }),
      provider('small', {
        tier: 'free',
        dataPolicy: 'no-training',
        models: [{ name: 'm', contextWindow: 1_000 }],
      }),
      provider('vault', {
        tier: 'paid',
        dataPolicy: 'zero-retention',
        models: [{ name: 'm', contextWindow: 100_000, price: { input: 0.1, output: 0.2 } }],
      }),
      provider('tight', { tier: 'free', limits: [{ tokens: 500, per: '1m' }] }),
      provider('plain', {
        tier: 'free',
        models: [{ name: 'm', contextWindow: 8_000, capabilities: ['streaming'] }],
      }),
    ],
    routes: {
      main: { targets: ['free/m', 'small/m', 'vault/m'] },
      cheap: { strategy: 'cheapest', targets: ['free/m', 'vault/m'] },
      open: { targets: ['free/m', 'tight/m'] },
      mixed: { targets: ['plain/m', 'free/m'] },
    },
  },
  {},
);

const ids = (targets: { provider: string }[]) => targets.map((target) => target.provider);

describe('planRoute', () => {
  it('plans a backed-off provider (it keeps refusing) after every other target, still as a fallback', () => {
    const plan = planRoute(
      config,
      { route: 'main', inputTokens: 100, maxTokens: 100, sensitivity: 'public' },
      { isBackedOff: (id) => id === 'free' },
    );
    expect(ids(plan.targets)).toEqual(['small', 'vault', 'free']);
  });

  it('keeps the route order for the priority strategy', () => {
    const plan = planRoute(config, {
      route: 'main',
      inputTokens: 100,
      maxTokens: 100,
      sensitivity: 'public',
    });
    expect(ids(plan.targets)).toEqual(['free', 'small', 'vault']);
  });

  it('leaves out targets whose context window is too small, saying why', () => {
    const plan = planRoute(config, {
      route: 'main',
      inputTokens: 2_000,
      maxTokens: 100,
      sensitivity: 'public',
    });
    expect(ids(plan.targets)).toEqual(['free', 'vault']);
    expect(plan.rejected).toEqual([expect.objectContaining({ provider: 'small', reason: 'context_window' })]);
  });

  it('fails closed on privacy: a confidential job never gets a may-train or no-training target', () => {
    const plan = planRoute(config, {
      route: 'main',
      inputTokens: 10,
      maxTokens: 10,
      sensitivity: 'confidential',
    });
    expect(ids(plan.targets)).toEqual(['vault']);
    const internal = planRoute(config, {
      route: 'main',
      inputTokens: 10,
      maxTokens: 10,
      sensitivity: 'internal',
    });
    expect(ids(internal.targets)).toEqual(['small', 'vault']);
    try {
      planRoute(config, { route: 'open', inputTokens: 10, maxTokens: 10, sensitivity: 'confidential' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).code).toBe('no_eligible_target');
      expect((error as BrokerError).details).toEqual({
        rejected: [
          expect.objectContaining({ provider: 'free', reason: 'data_policy' }),
          expect.objectContaining({ provider: 'tight', reason: 'data_policy' }),
        ],
      });
    }
  });

  it('orders by estimated cost for the cheapest strategy', () => {
    const plan = planRoute(config, {
      route: 'cheap',
      inputTokens: 100,
      maxTokens: 100,
      sensitivity: 'public',
    });
    expect(ids(plan.targets)).toEqual(['vault', 'free']);
  });

  it('leaves out a target whose token limit the job could never fit', () => {
    const plan = planRoute(config, {
      route: 'open',
      inputTokens: 400,
      maxTokens: 200,
      sensitivity: 'public',
    });
    expect(plan.rejected).toEqual([expect.objectContaining({ provider: 'tight', reason: 'token_limit' })]);
  });

  it('accepts provider/model for a single target and names unknown routes and models', () => {
    expect(
      ids(planRoute(config, { route: 'vault/m', inputTokens: 1, sensitivity: 'public' }).targets),
    ).toEqual(['vault']);
    expect(() => planRoute(config, { route: 'nope', inputTokens: 1, sensitivity: 'public' })).toThrow(
      expect.objectContaining({ code: 'unknown_route' }),
    );
    expect(() => planRoute(config, { route: 'vault/gpt-9', inputTokens: 1, sensitivity: 'public' })).toThrow(
      expect.objectContaining({ code: 'unknown_model' }),
    );
  });

  it('plans a request that needs tools or images only onto models that take them', () => {
    const request = { route: 'mixed', inputTokens: 10, sensitivity: 'public' } as const;
    expect(ids(planRoute(config, { ...request, needs: ['streaming'] }).targets)).toEqual(['plain', 'free']);
    const plan = planRoute(config, { ...request, needs: ['tools', 'vision'] });
    expect(ids(plan.targets)).toEqual(['free']);
    expect(plan.rejected).toEqual([
      expect.objectContaining({
        provider: 'plain',
        reason: 'capability',
        message: expect.stringContaining('tools, vision'),
      }),
    ]);
    const refused = (() => {
      try {
        planRoute(config, { ...request, route: 'plain/m', needs: ['json_schema'] });
      } catch (error) {
        return error as BrokerError;
      }
    })();
    expect(refused?.code).toBe('no_eligible_target');
    expect(refused?.details).toEqual({ rejected: [expect.objectContaining({ reason: 'capability' })] });
  });
});
