import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControlRequest } from './handle-control-request.ts';
import { sendSimError } from './send-json.ts';
import { type SimProviderConfig, type SimProviderPatch, validateProviderConfig } from './sim-config.ts';
import { type ProviderStats, SimulatedProvider } from './simulated-provider.ts';
import type { SimulatedProviderInfo, Simulator, SimulatorOptions } from './simulator.ts';
import { DuplicateProviderError, UnknownProviderError } from './simulator-errors.ts';
import { BASE_PATH_BY_KIND } from './wire/wire-formats.ts';

export type { SimulatedProviderInfo, Simulator, SimulatorOptions } from './simulator.ts';

/** Request bodies above this get 413, so a runaway client cannot exhaust memory. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

class SimulatorServer implements Simulator {
  url = '';
  private readonly providersById = new Map<string, SimulatedProvider>();
  private readonly now: () => number;
  private readonly startedAt: number;
  readonly server: Server;

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    for (const [index, config] of options.providers.entries()) {
      this.register(validateProviderConfig(config, `providers[${index}]`));
    }
    this.server = createServer({ keepAlive: true }, (request, response) => this.onRequest(request, response));
    this.server.keepAliveTimeout = 60_000;
  }

  baseUrlFor(providerId: string): string {
    const provider = this.provider(providerId);
    return `${this.url}/${encodeURIComponent(provider.id)}${BASE_PATH_BY_KIND[provider.kind]}`;
  }

  configure(providerId: string, patch: SimProviderPatch): SimProviderConfig {
    return this.provider(providerId).configure(patch);
  }

  addProvider(config: SimProviderConfig): string {
    const provider = this.register(validateProviderConfig(config));
    return this.baseUrlFor(provider.id);
  }

  providers(): SimulatedProviderInfo[] {
    return [...this.providersById.values()].map((provider) => ({
      id: provider.id,
      format: provider.kind,
      baseUrl: this.baseUrlFor(provider.id),
      config: provider.currentConfig(),
    }));
  }

  stats(providerId?: undefined, logLimit?: number): Record<string, ProviderStats>;
  stats(providerId: string, logLimit?: number): ProviderStats;
  stats(providerId?: string, logLimit?: number): ProviderStats | Record<string, ProviderStats> {
    if (providerId !== undefined) return this.provider(providerId).stats(logLimit);
    const all: Record<string, ProviderStats> = {};
    for (const [id, provider] of this.providersById) all[id] = provider.stats(logLimit);
    return all;
  }

  reset(): void {
    for (const provider of this.providersById.values()) provider.reset();
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${hostname}:${address.port}`;
  }

  private register(config: SimProviderConfig): SimulatedProvider {
    if (this.providersById.has(config.id)) throw new DuplicateProviderError(config.id);
    const provider = new SimulatedProvider(config, { now: this.now, startedAt: this.startedAt });
    this.providersById.set(config.id, provider);
    return provider;
  }

  private provider(id: string): SimulatedProvider {
    const provider = this.providersById.get(id);
    if (!provider) throw new UnknownProviderError(id);
    return provider;
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.route(request, response);
    } catch (error) {
      failed(response, error);
    }
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
    const slash = path.indexOf('/', 1);
    const first = decodeURIComponent(slash === -1 ? path.slice(1) : path.slice(1, slash));
    const rest = slash === -1 ? '' : path.slice(slash);
    const method = request.method ?? 'GET';

    const provider = first === '_sim' ? undefined : this.providersById.get(first);
    if (first !== '_sim' && !provider) {
      request.resume();
      sendSimError(response, 404, 'unknown_provider', `No simulated provider "${first}" (path ${path})`);
      return;
    }
    readBody(request, response, (body) => {
      try {
        if (provider) provider.handle({ method, path: rest, query, body, request, response });
        else handleControlRequest(this, method, path, query, body, response);
      } catch (error) {
        failed(response, error);
      }
    });
  }
}

/** A bug in the simulator answers 500 with its own error shape, and never takes the server down. */
function failed(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendSimError(response, 500, 'simulator_error', error instanceof Error ? error.message : String(error));
}

function readBody(request: IncomingMessage, response: ServerResponse, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  request.on('end', () => {
    if (tooLarge)
      return sendSimError(
        response,
        413,
        'body_too_large',
        `Request bodies are limited to ${MAX_BODY_BYTES} bytes`,
      );
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
  request.on('error', () => request.socket.destroy());
}

/**
 * Starts the provider simulator on `host:port` (default 127.0.0.1, a free port).
 * Each provider is served under `/{id}` in its own wire format; `/_sim` is the control API.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const simulator = new SimulatorServer(options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}
