import type { Config, ConfigInput, ProviderInput } from '@switchyard/config';
import { DEMO_PROVIDERS } from '@switchyard/provider-sim';

/** What the simulator cannot know about its demo providers: tier, data policy, price. */
const ROLES: Record<
  string,
  Pick<ProviderInput, 'tier' | 'dataPolicy'> & { price: { input: number; output: number } }
> = {
  'groq-sim': { tier: 'free', dataPolicy: 'may-train', price: { input: 0, output: 0 } },
  'gemini-sim': { tier: 'free', dataPolicy: 'may-train', price: { input: 0, output: 0 } },
  'claude-sim': { tier: 'paid', dataPolicy: 'no-training', price: { input: 1, output: 5 } },
};

/**
 * The embedded demo: with no provider configured and no provider key set, Switchyard runs the
 * bundled simulator's demo providers (two free tiers and a paid one, one per wire format) with
 * the same limits the simulator enforces, and routes `summarize` over them, free first.
 */
/** The demo's keys: not secrets, since the demo only reaches the simulator. Env overrides them. */
export const DEMO_API_KEY = process.env.SWITCHYARD_API_KEY ?? 'sk-switchyard-demo-key';
export const DEMO_ADMIN_KEY = process.env.SWITCHYARD_ADMIN_KEY ?? 'switchyard-demo-admin-key';
const DEMO_WEBHOOK_SECRET =
  process.env.SWITCHYARD_WEBHOOK_SECRET ?? 'whsec_c3dpdGNoeWFyZC1kZW1vLXdlYmhvb2stc2VjcmV0';

export function demoConfig(baseUrlFor: (id: string) => string, loaded?: Config): ConfigInput {
  const providers: ProviderInput[] = DEMO_PROVIDERS.map((sim) => {
    const role = ROLES[sim.id] ?? { tier: 'paid', dataPolicy: 'may-train', price: { input: 0, output: 0 } };
    return {
      id: sim.id,
      kind: sim.format,
      baseUrl: baseUrlFor(sim.id),
      tier: role.tier,
      dataPolicy: role.dataPolicy,
      models: sim.models.map((model) => ({ ...model, price: role.price })),
      limits: (sim.limits ?? []).map(({ per, ...amount }) => ({
        ...amount,
        per: typeof per === 'number' ? `${per}ms` : per,
      })),
      concurrency: 4,
      timeout: '30s',
    };
  });
  return {
    presets: 'off',
    server: loaded?.server,
    redis: loaded?.redis,
    results: loaded ? { retention: `${loaded.results.retentionMs}ms` } : undefined,
    auth:
      loaded && loaded.auth.apiKeys.length > 0
        ? { apiKeys: loaded.auth.apiKeys, adminKeys: loaded.auth.adminKeys }
        : { apiKeys: [{ key: DEMO_API_KEY, tenant: 'demo' }], adminKeys: [DEMO_ADMIN_KEY] },
    // Demo receivers run on this machine: allow private callback addresses here only.
    webhooks: { secret: loaded?.webhooks.secret ?? DEMO_WEBHOOK_SECRET, allowPrivateNetworks: true },
    providers,
    routes: {
      summarize: {
        strategy: 'priority',
        targets: [
          'gemini-sim/gemini-2.0-flash',
          'groq-sim/llama-3.1-8b-instant',
          'claude-sim/claude-haiku-4-5',
        ],
      },
    },
  };
}
