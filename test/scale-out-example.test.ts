import { loadConfig } from '@switchyard/config';
import { DEMO_PROVIDERS, startSimulator } from '@switchyard/provider-sim';
import { expect, it } from 'vitest';

// examples/scale-out.yaml, the file docs/scale-out.md has operators copy, must load and must
// point at the one standalone simulator's demo providers (default port), as they really are.

it('examples/scale-out.yaml loads and matches the standalone simulator demo providers', async () => {
  const config = loadConfig({ path: 'examples/scale-out.yaml', env: {} });
  const simulator = await startSimulator({ providers: DEMO_PROVIDERS });
  try {
    const port = new URL(simulator.url).port;
    expect(
      config.providers.map((provider) => [
        provider.id,
        provider.kind,
        provider.baseUrl.replace(':4010', `:${port}`),
      ]),
    ).toEqual(DEMO_PROVIDERS.map((sim) => [sim.id, sim.format, simulator.baseUrlFor(sim.id)]));
    for (const sim of DEMO_PROVIDERS) {
      const provider = config.providers.find((candidate) => candidate.id === sim.id)!;
      expect(provider.models.map((model) => model.name)).toEqual(sim.models.map((model) => model.name));
      expect(provider.limits.map(({ unit, max }) => [unit, max])).toEqual(
        (sim.limits ?? []).map((limit) =>
          'requests' in limit ? ['requests', limit.requests] : ['tokens', limit.tokens],
        ),
      );
    }
    expect(config.server.metricsPort).toBe(9464);
    expect(config.queues.keepCompleted).toEqual({ count: 1_000, age: 3_600_000 });
  } finally {
    await simulator.close();
  }
});
