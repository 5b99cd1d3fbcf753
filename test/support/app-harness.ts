import type { AddressInfo } from 'node:net';
import { buildApp } from '@switchyard/app/app';
import { createServices, type ServiceOptions, type Services } from '@switchyard/app/services';
import { type Config, parseConfig } from '@switchyard/config';
import {
  type SimModel,
  type SimProviderConfig,
  type Simulator,
  startSimulator,
  type WireFormatKind,
} from '@switchyard/provider-sim';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-prefix.ts';

// The whole app in one test process: the provider simulator on a real port, Switchyard's
// services on the real Redis under a key prefix of their own, real workers, and the HTTP API
// (through app.inject, or on a real port for SDKs, the CLI and browsers).

export type App = Awaited<ReturnType<typeof buildApp>>;

/** One provider, as the simulator plays it and as Switchyard's configuration names it. */
export interface HarnessProvider {
  id: string;
  /** The simulator's wire format, and Switchyard's provider `kind`. */
  format: WireFormatKind;
  models: SimModel[];
  /** The simulator's behaviour besides id, format and models: limits, latency, failures, apiKey. */
  simulator?: Omit<Partial<SimProviderConfig>, 'id' | 'format'>;
  /** Switchyard's provider entry besides id, kind and baseUrl: tier, prices, limits, apiKey. */
  switchyard?: Record<string, unknown>;
}

export interface HarnessOptions {
  providers: HarnessProvider[];
  routes: Record<string, unknown>;
  /** The `auth` section: API keys by tenant, admin keys. */
  auth: { apiKeys: Record<string, unknown>[]; adminKeys?: string[] };
  /** Other configuration sections: webhooks, scheduling, budgets. */
  config?: Record<string, unknown>;
  services?: ServiceOptions;
  app?: Parameters<typeof buildApp>[1];
  /** Default true. Without workers, submitted jobs stay in their queues. */
  workers?: boolean;
  /** Default false (tests use app.inject). True listens on 127.0.0.1 and sets `origin`. */
  listen?: boolean;
}

export interface Harness {
  app: App;
  services: Services;
  simulator: Simulator;
  config: Config;
  /** The configuration as written, before parsing (tests derive variants from it). */
  rawConfig: Record<string, unknown>;
  /** This harness's Redis key prefix: every key it writes contains it. */
  prefix: string;
  /** `http://127.0.0.1:{port}` when started with `listen`, otherwise empty. */
  origin: string;
  /** Stops the app, the services and the simulator, and deletes the prefix's keys. */
  close(): Promise<void>;
}

/** The `authorization` header of an API or admin key. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The `authorization` header of HTTP Basic (Bull Board and Prometheus use it). */
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const prefix = testPrefix();
  const started: { simulator?: Simulator; services?: Services; app?: App } = {};
  const close = async () => {
    await started.app?.close();
    await started.services?.close();
    await started.simulator?.close();
    await deleteKeys(prefix);
  };
  try {
    const simulator = await startSimulator({
      providers: options.providers.map((provider) => ({
        id: provider.id,
        format: provider.format,
        models: provider.models,
        ...provider.simulator,
      })),
    });
    started.simulator = simulator;
    const rawConfig = {
      presets: 'off',
      providers: options.providers.map((provider) => ({
        id: provider.id,
        kind: provider.format,
        baseUrl: simulator.baseUrlFor(provider.id),
        models: provider.models,
        ...provider.switchyard,
      })),
      routes: options.routes,
      redis: { url: REDIS_URL, prefix },
      auth: options.auth,
      ...options.config,
    };
    const config = parseConfig(rawConfig, {});
    const services = createServices(config, options.services);
    started.services = services;
    if (options.workers ?? true) await services.startWorkers();
    const app = await buildApp(services, options.app);
    started.app = app;
    let origin = '';
    if (options.listen) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    } else {
      await app.ready();
    }
    return { app, services, simulator, config, rawConfig, prefix, origin, close };
  } catch (error) {
    await close();
    throw error;
  }
}
