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

/** The demo's own keys: not secrets, since the demo only reaches the bundled simulator. */
export const DEMO_KEYS = {
  apiKey: 'sk-switchyard-demo-key',
  adminKey: 'switchyard-demo-admin-key',
  webhookSecret: 'whsec_c3dpdGNoeWFyZC1kZW1vLXdlYmhvb2stc2VjcmV0',
} as const;

/**
 * The embedded demo: with no provider configured and no provider key set, Switchyard runs the
 * bundled simulator's demo providers (two free tiers and a paid one, one per wire format) with
 * the same limits the simulator enforces, and routes `summarize` over them, free first.
 * The keys are the loaded configuration's (from the file, or SWITCHYARD_API_KEY,
 * SWITCHYARD_ADMIN_KEY and SWITCHYARD_WEBHOOK_SECRET with no file); each one it lacks is the
 * demo's own (DEMO_KEYS).
 */
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
      limits: (sim.limits ?? []).map(({ per, resetsAt, ...amount }) => ({
        ...amount,
        per: typeof per === 'number' ? `${per}ms` : per,
        ...(resetsAt === undefined ? {} : { resetsAt: new Date(resetsAt).toISOString() }),
      })),
      concurrency: 4,
      timeout: '30s',
    };
  });
  return {
    presets: 'off',
    // The demo's keys are printed and well known: it answers on this machine only.
    server: { port: loaded?.server.port, host: '127.0.0.1' },
    redis: loaded?.redis,
    results: loaded ? { retention: `${loaded.results.retentionMs}ms` } : undefined,
    queues: loaded
      ? {
          keepCompleted: {
            count: loaded.queues.keepCompleted.count,
            age: `${loaded.queues.keepCompleted.age}ms`,
          },
        }
      : undefined,
    auth: {
      apiKeys: loaded?.auth.apiKeys.length
        ? loaded.auth.apiKeys
        : [{ key: DEMO_KEYS.apiKey, tenant: 'demo' }],
      adminKeys: loaded?.auth.adminKeys.length ? loaded.auth.adminKeys : [DEMO_KEYS.adminKey],
    },
    // Demo receivers run on this machine: allow private callback addresses here only.
    webhooks: { secret: loaded?.webhooks.secret ?? DEMO_KEYS.webhookSecret, allowPrivateNetworks: true },
    providers,
    routes: {
      // The two free tiers cost the same: a batch spreads over both (a job gemini-sim's 15 RPM
      // refuses starts on groq-sim at once), and reaches claude-sim only for its deadline.
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
