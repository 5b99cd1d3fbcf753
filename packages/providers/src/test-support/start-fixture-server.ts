import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderError } from '@switchyard/spec';

/** One request as the fixture server received it. */
export interface RecordedRequest {
  method: string;
  /** The path after the scenario prefix, with the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FixtureReply {
  status: number;
  headers?: Record<string, string>;
  /** Sent verbatim; JSON fixtures get `content-type: application/json`. */
  body?: string;
  /**
   * Sent verbatim instead of `body`, one write each, each after the previous one was flushed,
   * so a stream's reader sees pieces cut where the test cut them (as far as TCP keeps them).
   */
  chunks?: string[];
  /** Leaves the response open after the last chunk (a stream that stalls). */
  keepOpen?: boolean;
}

/** `hang` accepts the request and never answers (for timeouts and aborts). */
export type FixtureRoute = FixtureReply | 'hang';

export interface FixtureServer {
  /** Registers a scenario and returns the base URL whose requests it answers. */
  route(scenario: string, reply: FixtureRoute): string;
  /** Requests received for one scenario, oldest first. */
  requestsTo(scenario: string): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on a free port that replays provider fixtures. Each scenario has
 * its own path prefix (`http://127.0.0.1:PORT/<scenario>`), used as the adapter's baseUrl,
 * so tests in one file never share a route.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureRoute>();
  const received = new Map<string, RecordedRequest[]>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [, scenario = '', ...rest] = (request.url ?? '/').split('/');
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path: `/${rest.join('/')}`,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.set(scenario, [...(received.get(scenario) ?? []), recorded]);
      const route = routes.get(scenario);
      if (route === 'hang') return;
      if (!route) {
        response.writeHead(418, { 'content-type': 'text/plain' }).end(`no fixture route for ${scenario}`);
        return;
      }
      const body = route.body ?? '';
      const contentType = body.trimStart().startsWith('<') ? 'text/html' : 'application/json';
      response.writeHead(route.status, { 'content-type': contentType, ...route.headers });
      if (!route.chunks) return response.end(body);
      const pieces = [...route.chunks];
      const writeNext = (): void => {
        const piece = pieces.shift();
        if (piece !== undefined) response.write(piece, () => setImmediate(writeNext));
        else if (!route.keepOpen) response.end();
      };
      writeNext();
    });
  });
  const url = await listen(server);

  return {
    route(scenario, reply) {
      routes.set(scenario, reply);
      return `${url}/${scenario}`;
    },
    requestsTo: (scenario) => received.get(scenario) ?? [],
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function findClosedPort(): Promise<number> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Number(new URL(url).port);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

/** Reads a fixture beside the test: `readFixture(import.meta.url, 'chat-completion.json')`. */
export function readFixture(testFileUrl: string, name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, testFileUrl), 'utf8');
}

/** The ProviderError a call rejected with; fails when it resolved or threw something else. */
export async function catchProviderError(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail with a ProviderError, but it resolved');
}

/** An HTTP date `seconds` from now, as a Retry-After header carries it. */
export function httpDateIn(seconds: number): string {
  return new Date(Date.now() + seconds * 1_000).toUTCString();
}
