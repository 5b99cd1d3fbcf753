import { startSimulator } from './create-simulator.ts';
import { DEMO_PROVIDERS } from './demo-providers.ts';
import { parseEnv } from './env.ts';
import { loadSimulatorConfig } from './load-simulator-config.ts';

/**
 * Entry point: `SIM_CONFIG=providers.yaml SIM_PORT=4010 tsx src/main.ts`.
 * Without SIM_CONFIG it serves the demo providers. The only file that installs signal handlers,
 * and the only one that reads the environment (once, through env.ts).
 */
async function main(): Promise<void> {
  const { SIM_CONFIG: configPath, SIM_PORT: port, SIM_HOST: host } = parseEnv(process.env);
  const providers = configPath ? await loadSimulatorConfig(configPath) : DEMO_PROVIDERS;
  const simulator = await startSimulator({ port, host, providers });
  const summary = simulator
    .providers()
    .map((provider) => `${provider.id}=${provider.baseUrl}`)
    .join(' ');
  console.log(`provider-sim listening on ${simulator.url} (${summary})`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`provider-sim: error while closing on ${signal}:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
