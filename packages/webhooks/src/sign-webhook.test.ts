import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret, generateWebhookSecret, signWebhook, verifyWebhook } from './sign-webhook.ts';
import { WebhookError } from './webhook-error.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_job_abc_job_succeeded';
const body = JSON.stringify({
  type: 'job.succeeded',
  timestamp: '2025-01-01T00:00:00.000Z',
  data: { id: 'job_abc' },
});

function headersAt(timestamp: number, signature = signWebhook({ secret, id, timestamp, body })) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signWebhook', () => {
  it('matches the signature of the Standard Webhooks reference implementation', () => {
    const timestamp = nowSeconds();
    const reference = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
    expect(signWebhook({ secret, id, timestamp, body })).toBe(reference);
    expect(reference).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('verifies with the reference implementation and with verifyWebhook', () => {
    const headers = headersAt(nowSeconds());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verifyWebhook({ secret, headers, body })).toBe(true);
    expect(verifyWebhook({ secret, headers: new Headers(headers), body: Buffer.from(body) })).toBe(true);
  });

  it('fails for a tampered body, id or timestamp, and for another secret', () => {
    const timestamp = nowSeconds();
    const headers = headersAt(timestamp);
    const tampered = body.replace('job_abc', 'job_abd');
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(/No matching signature/);
    expect(verifyWebhook({ secret, headers, body: tampered })).toBe(false);
    expect(verifyWebhook({ secret, headers: { ...headers, 'webhook-id': 'msg_other' }, body })).toBe(false);
    expect(
      verifyWebhook({ secret, headers: { ...headers, 'webhook-timestamp': String(timestamp - 1) }, body }),
    ).toBe(false);
    expect(verifyWebhook({ secret: generateWebhookSecret(), headers, body })).toBe(false);
  });

  it('accepts a space-separated list where one v1 signature matches (secret rotation)', () => {
    const timestamp = nowSeconds();
    const current = signWebhook({ secret, id, timestamp, body });
    const old = signWebhook({ secret: generateWebhookSecret(), id, timestamp, body });
    const listed = headersAt(timestamp, `${old} v2,${current.slice(3)} ${current}`);
    expect(verifyWebhook({ secret, headers: listed, body })).toBe(true);
    expect(() => new Webhook(secret).verify(body, listed)).not.toThrow();
    const noneMatch = headersAt(timestamp, `${old} v2,${current.slice(3)}`);
    expect(verifyWebhook({ secret, headers: noneMatch, body })).toBe(false);
  });

  it('refuses timestamps outside the tolerance and missing or malformed headers', () => {
    const timestamp = nowSeconds();
    const now = new Date(timestamp * 1000);
    expect(verifyWebhook({ secret, headers: headersAt(timestamp - 300), body, now })).toBe(true);
    expect(verifyWebhook({ secret, headers: headersAt(timestamp - 301), body, now })).toBe(false);
    expect(verifyWebhook({ secret, headers: headersAt(timestamp + 301), body, now })).toBe(false);
    expect(
      verifyWebhook({ secret, headers: headersAt(timestamp - 30), body, now, toleranceSeconds: 10 }),
    ).toBe(false);
    const { 'webhook-signature': _, ...unsigned } = headersAt(timestamp);
    expect(verifyWebhook({ secret, headers: unsigned, body })).toBe(false);
    expect(
      verifyWebhook({ secret, headers: { ...headersAt(timestamp), 'webhook-timestamp': '1e9' }, body }),
    ).toBe(false);
  });

  it('reads header names case-insensitively', () => {
    const timestamp = nowSeconds();
    const upper = Object.fromEntries(
      Object.entries(headersAt(timestamp)).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhook({ secret, headers: upper, body })).toBe(true);
  });
});

describe('generateWebhookSecret', () => {
  it('is whsec_ and 24 random bytes in base64, usable by the reference implementation', () => {
    const generated = generateWebhookSecret();
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(decodeWebhookSecret(generated)).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(generated);
    const timestamp = nowSeconds();
    const signature = signWebhook({ secret: generated, id, timestamp, body });
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(() => new Webhook(generated).verify(body, headers)).not.toThrow();
  });

  it('refuses a malformed secret without repeating it', () => {
    const malformed = 'whsec_not base64!';
    let thrown: unknown;
    try {
      signWebhook({ secret: malformed, id, timestamp: 1, body });
    } catch (error) {
      thrown = error;
    }
    expect(WebhookError.isInstance(thrown) && thrown.code).toBe('invalid_webhook_secret');
    expect(String((thrown as Error).message)).not.toContain('not base64');
  });
});
