import { describe, expect, it } from 'vitest';
import { formatResetDuration, retryAfterSeconds } from './format-reset-duration.ts';
import { RequestLog } from './request-log.ts';
import { applyProviderPatch, SimConfigError, validateProviderConfig } from './sim-config.ts';

const valid = { id: 'p', format: 'openai', models: [{ name: 'm', contextWindow: 100 }] };

describe('validateProviderConfig', () => {
  it('accepts a minimal and a full config', () => {
    expect(validateProviderConfig(valid).id).toBe('p');
    const full = {
      ...valid,
      apiKey: 'k',
      limits: [
        { requests: 5, per: '1s' },
        { tokens: 100, per: 60_000 },
      ],
      concurrency: 2,
      latency: { kind: 'lognormal', medianMs: 100, p99Ms: 900 },
      failures: { serverError: 0.1, timeout: 0.1 },
      outages: [{ afterMs: '10s', durationMs: 500, mode: 'reset' }],
      down: false,
      seed: 7,
      tokenAccounting: 'max-tokens',
      dailyCap: { requests: 20, answer: 'insufficient-quota' },
    };
    expect(validateProviderConfig(full)).toEqual(full);
    expect(validateProviderConfig({ ...valid, down: 'rate_limited' }).down).toBe('rate_limited');
  });

  it('checks the daily cap: a positive count, a known answer, insufficient-quota on openai only', () => {
    const problemsOf = (config: unknown) => {
      try {
        validateProviderConfig(config);
        return [];
      } catch (error) {
        return (error as SimConfigError).problems;
      }
    };
    expect(problemsOf({ ...valid, dailyCap: { requests: 0 } })).toEqual([
      'provider.dailyCap.requests: expected an integer >= 1, got 0',
    ]);
    expect(problemsOf({ ...valid, dailyCap: { requests: 5, answer: 'later' } })).toEqual([
      'provider.dailyCap.answer: expected daily-limit|insufficient-quota, got "later"',
    ]);
    expect(
      problemsOf({ ...valid, format: 'gemini', dailyCap: { requests: 5, answer: 'insufficient-quota' } }),
    ).toEqual(['provider.dailyCap.answer: insufficient-quota is an openai answer']);
  });

  it('lists every problem in one error', () => {
    const bad = {
      id: '_x',
      format: 'grpc',
      models: [],
      limits: [{ per: 'monthly' }],
      failures: { serverError: 0.7, unavailable: 0.7, sometimes: 1 },
      latency: { kind: 'uniform', minMs: 10, maxMs: 5 },
      extra: true,
    };
    try {
      validateProviderConfig(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SimConfigError);
      const problems = (error as SimConfigError).problems.join('\n');
      for (const fragment of [
        'provider.extra: unknown setting',
        'provider.id',
        'provider.format',
        'provider.models',
        'limits[0]: set requests and/or tokens',
        'limits[0].per',
        'failures.sometimes',
        'add up to 1.4',
        'maxMs must be >= minMs',
      ]) {
        expect(problems).toContain(fragment);
      }
    }
  });

  it('patches top-level keys, removes on null, and refuses id or format changes', () => {
    const config = validateProviderConfig({ ...valid, failures: { serverError: 1 }, concurrency: 3 });
    const patched = applyProviderPatch(config, { failures: null, down: 'timeout' });
    expect(patched.failures).toBeUndefined();
    expect(patched.down).toBe('timeout');
    expect(patched.concurrency).toBe(3);
    expect(() => applyProviderPatch(config, { format: 'gemini' })).toThrow(SimConfigError);
    expect(() => applyProviderPatch(config, { concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe('formatResetDuration', () => {
  it('writes Go-style durations like OpenAI', () => {
    expect(formatResetDuration(250)).toBe('250ms');
    expect(formatResetDuration(1_000)).toBe('1s');
    expect(formatResetDuration(1_500)).toBe('1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(90_250)).toBe('1m30.25s');
    expect(formatResetDuration(3_600_000)).toBe('1h0m0s');
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
  });
});

describe('RequestLog', () => {
  it('keeps only the last `capacity` entries, oldest first', () => {
    const log = new RequestLog(3);
    for (let at = 1; at <= 5; at += 1) {
      log.push({
        at,
        model: null,
        status: 200,
        outcome: 'ok',
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: 0,
        jobId: null,
      });
    }
    expect(log.toArray().map((entry) => entry.at)).toEqual([3, 4, 5]);
    expect(log.toArray(2).map((entry) => entry.at)).toEqual([4, 5]);
  });
});
