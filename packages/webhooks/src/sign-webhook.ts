import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WebhookError } from './webhook-error.ts';

// Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with
// the bytes of the base64 secret after `whsec_`.

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;

/** The HMAC key of a `whsec_<base64>` secret (the prefix may be left out, as in the reference code). */
export function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length === 0) {
    throw new WebhookError(
      'invalid_webhook_secret',
      'The webhook secret must be "whsec_" followed by base64',
    );
  }
  return key;
}

/** A new secret: `whsec_` and 24 random bytes in base64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

export interface SignWebhookOptions {
  /**
   * One secret, or several while a secret is rotated (`[new, old]`): each signs, and the
   * header lists every signature space-separated, so a receiver holding either verifies.
   */
  secret: string | readonly string[];
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header: unix seconds. */
  timestamp: number;
  /** The exact bytes sent as the body. */
  body: string | Uint8Array;
}

function digest(key: Buffer, id: string, timestamp: number | string, body: string | Uint8Array): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The `webhook-signature` header value for one attempt: `v1,<sig>`, or `v1,<sig1> v1,<sig2>`. */
export function signWebhook({ secret, id, timestamp, body }: SignWebhookOptions): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('The webhook timestamp must be whole unix seconds');
  }
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('A webhook is signed with at least one secret');
  return secrets.map((each) => `v1,${digest(decodeWebhookSecret(each), id, timestamp, body)}`).join(' ');
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  secret: string;
  headers: WebhookHeaders;
  body: string | Uint8Array;
  /** How far `webhook-timestamp` may be from `now`, either way (replay window). */
  toleranceSeconds?: number;
  now?: Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

/**
 * Whether a received webhook is signed with `secret` and recent. `webhook-signature` may list
 * several space-separated signatures (secret rotation): one matching `v1` signature is enough.
 */
export function verifyWebhook({
  secret,
  headers,
  body,
  toleranceSeconds = 300,
  now = new Date(),
}: VerifyWebhookOptions): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp')?.trim();
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !TIMESTAMP.test(timestamp)) return false;
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > toleranceSeconds) return false;

  const expected = Buffer.from(digest(decodeWebhookSecret(secret), id, timestamp, body));
  let matched = false;
  for (const versioned of signatures.split(' ')) {
    const comma = versioned.indexOf(',');
    if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
    const candidate = Buffer.from(versioned.slice(comma + 1));
    // Lengths are public (a SHA-256 in base64 is 44 characters); the bytes are compared in constant time.
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}
