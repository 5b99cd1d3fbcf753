import { lookup } from 'node:dns/promises';
import { isPublicAddress } from './is-public-address.ts';

export type CallbackUrlCheck =
  | { ok: true; url: URL }
  | { ok: false; code: 'invalid_callback_url' | 'private_callback_url'; message: string };

export interface CheckCallbackUrlOptions {
  /** Allow hosts that resolve to private, loopback or other non-public addresses (development). */
  allowPrivateNetworks: boolean;
}

const MAX_URL_LENGTH = 2048;

export const PRIVATE_ADDRESS_MESSAGE =
  'callback_url must not reach a private, loopback, link-local or other non-public address ' +
  '(allowed only with webhooks.allowPrivateNetworks)';

function invalid(message: string): CallbackUrlCheck {
  return { ok: false, code: 'invalid_callback_url', message };
}

/** The host as DNS and sockets want it: `[::1]` becomes `::1`. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The checks that need no network: an absolute http(s) URL without credentials. */
export function parseCallbackUrl(url: string): CallbackUrlCheck {
  if (url.length > MAX_URL_LENGTH) return invalid(`callback_url is longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid('callback_url is not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return invalid('callback_url must be an http or https URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return invalid('callback_url must not contain credentials');
  }
  if (hostOf(parsed) === '') return invalid('callback_url has no host');
  return { ok: true, url: parsed };
}

/**
 * Whether webhooks may be sent to `url`: an http(s) URL without credentials whose host (name
 * or IP literal) resolves only to public addresses, unless `allowPrivateNetworks`. This is the
 * early answer for the API; delivery checks the address it connects to again (DNS can change).
 */
export async function checkCallbackUrl(
  url: string,
  options: CheckCallbackUrlOptions,
): Promise<CallbackUrlCheck> {
  const parsed = parseCallbackUrl(url);
  if (!parsed.ok || options.allowPrivateNetworks) return parsed;
  const host = hostOf(parsed.url);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((found) => found.address);
  } catch {
    return invalid(`callback_url host ${host} could not be resolved`);
  }
  if (addresses.length === 0) return invalid(`callback_url host ${host} could not be resolved`);
  if (!addresses.every(isPublicAddress)) {
    return { ok: false, code: 'private_callback_url', message: PRIVATE_ADDRESS_MESSAGE };
  }
  return parsed;
}
