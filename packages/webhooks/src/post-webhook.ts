import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, PRIVATE_ADDRESS_MESSAGE } from './check-callback-url.ts';
import { isPublicAddress } from './is-public-address.ts';

/** What one delivery attempt came to, before any retry policy. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter?: string }
  /** The address connected to (or about to be) is not public: never retried. */
  | { kind: 'refused'; message: string }
  /** The URL itself cannot be delivered to: never retried. */
  | { kind: 'invalid'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; message: string };

export interface PostWebhookOptions {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/** Enough of a response body to keep the connection tidy; the rest is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024;

class BlockedAddressError extends Error {}

/**
 * `dns.lookup` for sockets that refuses names resolving to any non-public address. Node calls
 * it right before connecting, so the address checked is the address connected to: a name that
 * passed `checkCallbackUrl` and was re-pointed at 127.0.0.1 since (DNS rebinding) is refused.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, found) => {
    const addresses = found as unknown as LookupAddress[];
    if (error) return callback(error, '');
    if (addresses.length === 0) {
      return callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
        '',
      );
    }
    if (!addresses.every((candidate) => isPublicAddress(candidate.address))) {
      return callback(new BlockedAddressError(PRIVATE_ADDRESS_MESSAGE), '');
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses as [LookupAddress];
    callback(null, first.address, first.family);
  });
};

function describe(error: NodeJS.ErrnoException): string {
  return error.code && !error.message.includes(error.code)
    ? `${error.code}: ${error.message}`
    : error.message;
}

/**
 * POSTs one webhook with `node:http(s)`: no redirects followed (a 3xx is just a status), no
 * proxy, a fresh connection, the whole attempt bounded by `timeoutMs`. Unless
 * `allowPrivateNetworks`, IP literals are checked here and names at connect time.
 */
export function postWebhook(options: PostWebhookOptions): Promise<AttemptResult> {
  const { url, allowPrivateNetworks, timeoutMs } = options;
  const host = hostOf(url);
  // Node connects to IP literals without calling `lookup`: check them before.
  if (!allowPrivateNetworks && isIP(host) !== 0 && !isPublicAddress(host)) {
    return Promise.resolve({ kind: 'refused', message: PRIVATE_ADDRESS_MESSAGE });
  }
  return new Promise((resolve) => {
    const controller = new AbortController();
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      {
        method: 'POST',
        hostname: host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
        agent: false,
        signal: controller.signal,
        ...(allowPrivateNetworks ? {} : { lookup: publicOnlyLookup }),
      },
      (response) => {
        const retryAfter = response.headers['retry-after'];
        const done = () => finish({ kind: 'response', status: response.statusCode ?? 0, retryAfter });
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof BlockedAddressError) finish({ kind: 'refused', message: error.message });
      else if (timedOut) finish({ kind: 'timeout', message: `no response within ${timeoutMs} ms` });
      else finish({ kind: 'network', message: describe(error) });
    });
    request.end(options.body);
  });
}
