import type { ServerResponse } from 'node:http';
import { sendJson, sendSimError } from './send-json.ts';
import { SimConfigError, type SimProviderPatch, validateProviderConfig } from './sim-config.ts';
import type { Simulator } from './simulator.ts';
import { DuplicateProviderError, UnknownProviderError } from './simulator-errors.ts';

/**
 * The simulator's control API under `/_sim`:
 * - `GET /_sim/stats[?log=N]`, `GET /_sim/stats/:id[?log=N]`: counters and the last N log entries
 * - `POST /_sim/reset`: clears counters, windows and logs
 * - `GET /_sim/providers`: configs and base URLs
 * - `POST /_sim/providers`: adds a provider (body: a provider config)
 * - `PATCH /_sim/providers/:id`: changes failures, latency, limits, down, outages...
 */
export function handleControlRequest(
  simulator: Simulator,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
  response: ServerResponse,
): void {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [, resource, id] = segments;
  try {
    if (resource === 'stats' && method === 'GET' && segments.length <= 3) {
      const logParameter = query.get('log');
      const logLimit =
        logParameter === null ? undefined : Math.max(0, Number.parseInt(logParameter, 10) || 0);
      const body = id === undefined ? simulator.stats(undefined, logLimit) : simulator.stats(id, logLimit);
      sendJson(response, 200, body);
      return;
    }
    if (resource === 'reset' && method === 'POST' && segments.length === 2) {
      simulator.reset();
      sendJson(response, 200, { reset: true });
      return;
    }
    if (resource === 'providers' && segments.length === 2 && method === 'GET') {
      sendJson(response, 200, { providers: simulator.providers() });
      return;
    }
    if (resource === 'providers' && segments.length === 2 && method === 'POST') {
      const config = validateProviderConfig(parseBody(body));
      const baseUrl = simulator.addProvider(config);
      sendJson(response, 201, { id: config.id, baseUrl });
      return;
    }
    if (resource === 'providers' && segments.length === 3 && method === 'PATCH' && id !== undefined) {
      // configure validates the patch (SimConfigError on bad values), so the cast only names the intent.
      const config = simulator.configure(id, parseBody(body) as SimProviderPatch);
      sendJson(response, 200, { config });
      return;
    }
    sendSimError(response, 404, 'not_found', `No control route ${method} ${path}`);
  } catch (error) {
    if (error instanceof SimConfigError) {
      sendSimError(response, 400, 'invalid_config', error.message, error.problems);
      return;
    }
    if (error instanceof UnknownProviderError) {
      sendSimError(response, 404, 'unknown_provider', error.message);
      return;
    }
    if (error instanceof DuplicateProviderError) {
      sendSimError(response, 409, 'duplicate_provider', error.message);
      return;
    }
    if (error instanceof SyntaxError) {
      sendSimError(response, 400, 'bad_json', error.message);
      return;
    }
    throw error;
  }
}

function parseBody(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}
