import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedRequest, type Receiver, startReceiver } from '../packages/webhooks/src/test-support.ts';
import { bearer as auth, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Per-tenant webhook secrets, end to end: a job's `job.succeeded` is signed with its tenant's
// own secret (or the global one when it has none), and during a rotation with both secrets,
// so a receiver holding either verifies it. Checked with the `standardwebhooks` package.

const GLOBAL_SECRET = 'whsec_Z2xvYmFsLXN3aXRjaHlhcmQtdGVzdC1zZWNyZXQ=';
const ACME_SECRET = 'whsec_YWNtZS1zd2l0Y2h5YXJkLXRlc3Qtc2VjcmV0LTE=';
const GLOBEX_OLD = 'whsec_Z2xvYmV4LW9sZC1zd2l0Y2h5YXJkLXNlY3JldA==';
const GLOBEX_NEW = 'whsec_Z2xvYmV4LW5ldy1zd2l0Y2h5YXJkLXNlY3JldA==';

const KEYS = {
  acme: 'acme-key-0123456789abcdef',
  globex: 'globex-key-0123456789abcdef',
  initech: 'initech-key-0123456789abcdef',
};

let harness: Harness;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  harness = await startHarness({
    providers: [
      {
        id: 'hook-sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 4_000 }],
        switchyard: { tier: 'free' },
      },
    ],
    routes: { main: { targets: ['hook-sim/m'] } },
    auth: { apiKeys: Object.entries(KEYS).map(([tenant, key]) => ({ key, tenant })) },
    config: {
      webhooks: { secret: GLOBAL_SECRET, allowPrivateNetworks: true },
      tenants: {
        acme: { webhookSecret: ACME_SECRET },
        // Rotating: the new secret first, the old one still signing.
        globex: { webhookSecret: [GLOBEX_NEW, GLOBEX_OLD] },
      },
    },
  });
});

afterAll(async () => {
  await harness?.close();
  await receiver?.close();
});

/** Submits a job with a callback for `tenant` and returns the webhook it received. */
async function deliveredFor(tenant: keyof typeof KEYS): Promise<ReceivedRequest> {
  const path = `/hooks/${tenant}`;
  const submitted = await harness.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: auth(KEYS[tenant]),
    payload: { route: 'main', prompt: 'Say hello.', max_tokens: 8, callback_url: receiver.url(path) },
  });
  expect(submitted.statusCode).toBe(202);
  return until(() => receiver.requestsTo(path)[0], { message: `the webhook of ${tenant}` });
}

const verifies = (secret: string, request: ReceivedRequest) => {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('per-tenant webhook secrets', () => {
  it("signs tenant A's deliveries with A's secret, which B's secret does not verify", async () => {
    const acme = await deliveredFor('acme');
    expect(JSON.parse(acme.body).type).toBe('job.succeeded');
    expect(acme.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]{44}$/);
    expect(verifies(ACME_SECRET, acme)).toBe(true);
    expect(verifies(GLOBAL_SECRET, acme)).toBe(false);
    expect(verifies(GLOBEX_NEW, acme)).toBe(false);
  });

  it('signs a tenant without its own secret with webhooks.secret', async () => {
    const initech = await deliveredFor('initech');
    expect(verifies(GLOBAL_SECRET, initech)).toBe(true);
    expect(verifies(ACME_SECRET, initech)).toBe(false);
  });

  it('during a rotation signs with both secrets: either verifies, no other does', async () => {
    const globex = await deliveredFor('globex');
    expect(String(globex.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(GLOBEX_NEW, globex)).toBe(true);
    expect(verifies(GLOBEX_OLD, globex)).toBe(true);
    expect(verifies(ACME_SECRET, globex)).toBe(false);
    expect(verifies(GLOBAL_SECRET, globex)).toBe(false);
  });
});
