import type { Config, DataPolicy, ModelConfig, ProviderConfig } from '@switchyard/config';
import { DATA_POLICIES } from '@switchyard/config';
import type { Capability } from '@switchyard/spec';
import { BrokerError } from './broker-error.ts';
import { outputLimitOf } from './estimate-tokens.ts';
import type { PlanTarget, Sensitivity } from './job.ts';

/** The least protective data policy each sensitivity admits. Privacy fails closed. */
const REQUIRED_POLICY: Record<Sensitivity, DataPolicy> = {
  public: 'may-train',
  internal: 'no-training',
  confidential: 'zero-retention',
};

function admits(policy: DataPolicy, sensitivity: Sensitivity): boolean {
  return DATA_POLICIES.indexOf(policy) >= DATA_POLICIES.indexOf(REQUIRED_POLICY[sensitivity]);
}

export interface RejectedTarget extends PlanTarget {
  reason:
    | 'data_policy'
    | 'capability'
    | 'context_window'
    | 'token_limit'
    | 'unhealthy'
    | 'quota_spent'
    | 'budget';
  message: string;
}

export interface PlanRequest {
  route: string;
  /** Whose job it is (budgets are per tenant). */
  tenant?: string;
  inputTokens: number;
  maxTokens?: number;
  sensitivity: Sensitivity;
  /** What the request uses beyond text (tools, a JSON schema, images, streaming). */
  needs?: readonly Capability[];
}

/** Health and budget checks come from outside the planner (circuit breakers, spend). */
export interface PlanChecks {
  isHealthy?(provider: string): boolean;
  /** A provider that keeps refusing (429) is planned after every other eligible target. */
  isBackedOff?(provider: string): boolean;
  /** Why the target is out of plans (its daily or monthly cap, or its credits, spent), if it is. */
  quotaSpent?(provider: string, model: string): string | undefined;
  budgetAllows?(provider: ProviderConfig, model: ModelConfig, tenant: string | undefined): boolean;
  random?(): number;
}

export interface Plan {
  strategy: Config['routes'][string]['strategy'];
  targets: PlanTarget[];
  rejected: RejectedTarget[];
}

/**
 * The targets that can serve a request, in the order of the route's strategy
 * (`least-wait` is ordered by the broker, which knows the queues). Throws when the route is
 * unknown or no target is eligible, saying why each target was left out.
 */
export function planRoute(config: Config, request: PlanRequest, checks: PlanChecks = {}): Plan {
  const route = resolveRoute(config, request.route);
  const eligible: { target: PlanTarget; provider: ProviderConfig; model: ModelConfig; weight: number }[] = [];
  const rejected: RejectedTarget[] = [];
  const outputTokens = request.maxTokens ?? 0;
  // What the worker will reserve on this model (see outputLimitOf).
  const reservedTokens = (model: ModelConfig) =>
    request.inputTokens + outputLimitOf(request, model, config.scheduling);

  for (const { provider: providerId, model: modelName, weight } of route.targets) {
    const provider = config.providers.find((candidate) => candidate.id === providerId);
    const model = provider?.models.find((candidate) => candidate.name === modelName);
    if (!provider || !model) continue;
    const target = { provider: providerId, model: modelName };
    const reject = (reason: RejectedTarget['reason'], message: string) =>
      rejected.push({ ...target, reason, message });

    if (!admits(provider.dataPolicy, request.sensitivity)) {
      reject(
        'data_policy',
        `data policy ${provider.dataPolicy} does not admit ${request.sensitivity} jobs (needs ${REQUIRED_POLICY[request.sensitivity]} or stricter)`,
      );
    } else if (missingCapabilities(model, request.needs).length > 0) {
      reject(
        'capability',
        `the model cannot take ${missingCapabilities(model, request.needs).join(', ')} (it declares ${model.capabilities.join(', ') || 'none'})`,
      );
    } else if (request.inputTokens + outputTokens > model.contextWindow) {
      reject(
        'context_window',
        `about ${request.inputTokens} input + ${outputTokens} output tokens exceed the context window of ${model.contextWindow}`,
      );
    } else if (
      [...provider.limits, ...model.limits].some(
        (limit) => limit.unit === 'tokens' && reservedTokens(model) > limit.max,
      )
    ) {
      reject('token_limit', `about ${reservedTokens(model)} tokens exceed a token limit of the provider`);
    } else if (checks.isHealthy && !checks.isHealthy(providerId)) {
      reject('unhealthy', 'the provider is failing health checks');
    } else if (checks.quotaSpent?.(providerId, modelName)) {
      reject('quota_spent', checks.quotaSpent(providerId, modelName)!);
    } else if (checks.budgetAllows && !checks.budgetAllows(provider, model, request.tenant)) {
      reject('budget', 'the budget for paid providers is spent');
    } else {
      eligible.push({ target, provider, model, weight });
    }
  }

  if (eligible.length === 0) {
    throw new BrokerError('no_eligible_target', `No target of route "${request.route}" can take this job`, {
      rejected,
    });
  }

  if (route.strategy === 'cheapest') {
    const cost = (model: ModelConfig) =>
      model.price.input * request.inputTokens +
      model.price.output * outputLimitOf(request, model, config.scheduling);
    eligible.sort((a, b) => cost(a.model) - cost(b.model));
  } else if (route.strategy === 'weighted') {
    weightedShuffle(eligible, checks.random ?? Math.random);
  }
  const targets = backedOffLast(
    eligible.map((entry) => entry.target),
    checks,
  );
  return { strategy: route.strategy, targets, rejected };
}

/**
 * The targets with those on backed-off providers moved last, in their order: a provider that
 * refuses everything is still a fallback, never the first try while another target remains.
 */
export function backedOffLast(targets: PlanTarget[], checks: PlanChecks): PlanTarget[] {
  const { isBackedOff } = checks;
  if (!isBackedOff) return targets;
  const refusing = targets.filter((target) => isBackedOff(target.provider));
  if (refusing.length === 0) return targets;
  return [...targets.filter((target) => !isBackedOff(target.provider)), ...refusing];
}

const missingCapabilities = (model: ModelConfig, needs: readonly Capability[] = []) =>
  needs.filter((need) => !model.capabilities.includes(need));

/** The route a name means: a configured route, or `provider/model` as a one-target route. */
export function resolveRoute(config: Config, name: string): Config['routes'][string] {
  const route = config.routes[name];
  if (route) return route;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const provider = config.providers.find((candidate) => candidate.id === name.slice(0, slash));
    const model = name.slice(slash + 1);
    if (provider?.models.some((candidate) => candidate.name === model)) {
      return { strategy: 'priority', targets: [{ provider: provider.id, model, weight: 1 }], strict: true };
    }
    throw new BrokerError('unknown_model', `No configured provider/model "${name}"`);
  }
  throw new BrokerError('unknown_route', `No route "${name}" is configured`, {
    routes: Object.keys(config.routes),
  });
}

/** Orders entries by weighted sampling without replacement (Efraimidis-Spirakis keys). */
function weightedShuffle<T extends { weight: number }>(entries: T[], random: () => number): void {
  const keyed = entries.map((entry) => ({ entry, key: random() ** (1 / entry.weight) }));
  keyed.sort((a, b) => b.key - a.key);
  keyed.forEach(({ entry }, index) => {
    entries[index] = entry;
  });
}
