import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '@switchyard/config';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the API key that authenticated this request. */
    tenant: string;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The presented key: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim();
  const header = request.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

const unauthorized = (reply: FastifyReply, message: string) =>
  reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send({ error: { code: 'unauthorized', message } });

/**
 * API keys map to tenants. Keys are kept only as SHA-256 hashes (from `key` at start-up, or
 * `keyHash` in the file), and a presented key is found by its hash.
 */
export function createApiKeyAuthenticator(config: Config) {
  const tenants = new Map<string, string>();
  for (const entry of config.auth.apiKeys) {
    tenants.set(entry.keyHash ? entry.keyHash.slice('sha256:'.length) : sha256(entry.key!), entry.tenant);
  }
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const key = presentedKey(request);
    if (!key) return unauthorized(reply, 'An API key is needed: Authorization: Bearer <key>');
    const tenant = tenants.get(sha256(key));
    if (!tenant) return unauthorized(reply, 'This API key is not valid');
    request.tenant = tenant;
  };
}

/** Admin keys (Bull Board): Bearer, x-api-key, or basic auth with the key as password. */
export function createAdminAuthenticator(config: Config) {
  const hashes = config.auth.adminKeys.map((key) => Buffer.from(sha256(key), 'hex'));
  return async function authenticateAdmin(request: FastifyRequest, reply: FastifyReply) {
    let key = presentedKey(request);
    const authorization = request.headers.authorization;
    if (!key && authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      key = decoded.slice(decoded.indexOf(':') + 1);
    }
    const hash = key ? Buffer.from(sha256(key), 'hex') : undefined;
    if (!hash || !hashes.some((candidate) => timingSafeEqual(candidate, hash))) {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="switchyard-admin"')
        .send({ error: { code: 'unauthorized', message: 'An admin key is needed' } });
    }
  };
}
