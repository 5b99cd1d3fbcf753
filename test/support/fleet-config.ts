import type { Simulator } from '@switchyard/provider-sim';
import { REDIS_URL } from './redis-prefix.ts';

export const FLEET_KEY = 'fleet-key-0123456789abcdef';
export const FLEET_ADMIN_KEY = 'fleet-admin-key-0123456789';
export const FLEET_AUTH = { authorization: `Bearer ${FLEET_KEY}` };

/**
 * The configuration every process of a test fleet shares (API and workers read one file):
 * one OpenAI-format provider `sim` on the simulator, a route `main` to it.
 */
export function fleetConfig(simulator: Simulator, prefix: string, concurrency: number) {
  return {
    presets: 'off',
    providers: [
      {
        id: 'sim',
        kind: 'openai',
        baseUrl: simulator.baseUrlFor('sim'),
        models: [{ name: 'm', contextWindow: 8_000 }],
        concurrency,
      },
    ],
    routes: { main: { targets: ['sim/m'] } },
    redis: { url: REDIS_URL, prefix },
    auth: { apiKeys: [{ key: FLEET_KEY, tenant: 't' }], adminKeys: [FLEET_ADMIN_KEY] },
    // A fleet's clients send as fast as its processes answer (a rolling restart's check reads a
    // few hundred jobs at once); the tenant limits have their own tests.
    tenantDefaults: { limits: { requestsPerSecond: 1_000_000 } },
    server: { port: 0, host: '127.0.0.1', metricsPort: 0 },
  };
}
