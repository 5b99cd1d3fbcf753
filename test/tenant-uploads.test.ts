import { MAX_LINE_BYTES } from '@switchyard/batches';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer as auth, type Harness, startHarness } from './support/app-harness.ts';
import { REDIS_URL } from './support/redis-prefix.ts';

// Upload bounds: a line longer than one job's body is refused while it streams in, and a
// refused upload leaves nothing stored — no file, no lines, no storage counted.

const KEY = 'upload-key-0123456789abcdef';
const BOUNDARY = 'switchyardboundary';

const line = (index: number, content = 'Summarize this.') =>
  JSON.stringify({
    custom_id: `line-${index}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'main', messages: [{ role: 'user', content }] },
  });

type Part = { name: 'purpose'; value: string } | { name: 'file'; content: string };

function upload(app: App, parts: Part[]) {
  const payload = parts
    .map((part) =>
      part.name === 'purpose'
        ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n${part.value}\r\n`
        : `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="in.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n${part.content}\r\n`,
    )
    .join('');
  return app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...auth(KEY), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: `${payload}--${BOUNDARY}--\r\n`,
  });
}

let harness: Harness;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  harness = await startHarness({
    providers: [{ id: 'upload-sim', format: 'openai', models: [{ name: 'm', contextWindow: 4_000 }] }],
    routes: { main: { targets: ['upload-sim/m'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'uploader' }] },
    workers: false,
  });
});

afterAll(async () => {
  await harness?.close();
  redis?.disconnect();
});

/** Nothing of any upload is left: no file keys, no listing, no bytes counted. */
async function expectNothingStored() {
  expect(await redis.keys(`${harness.prefix}:file:*`)).toEqual([]);
  const list = await harness.app.inject({ method: 'GET', url: '/v1/files', headers: auth(KEY) });
  expect(list.json().data).toEqual([]);
  const usage = await harness.app.inject({ method: 'GET', url: '/v1/usage', headers: auth(KEY) });
  expect(usage.json().limits.storage_bytes.used).toBe(0);
}

describe('upload bounds', () => {
  it('refuses a line longer than one job body (8 MiB) with 413 line_too_long, storing nothing', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 1);
    const answer = await upload(harness.app, [
      { name: 'purpose', value: 'batch' },
      { name: 'file', content: `${line(0)}\n${long}\n${line(2)}` },
    ]);
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error).toMatchObject({ code: 'line_too_long', details: { line: 2 } });
    await expectNothingStored();
  });

  it('stores nothing when the purpose, sent after the file, is wrong', async () => {
    const answer = await upload(harness.app, [
      { name: 'file', content: line(0) },
      { name: 'purpose', value: 'fine-tune' },
    ]);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'purpose' } });
    await expectNothingStored();
  });

  it('stores nothing when a second file follows the first', async () => {
    const answer = await upload(harness.app, [
      { name: 'purpose', value: 'batch' },
      { name: 'file', content: line(0) },
      { name: 'file', content: line(1) },
    ]);
    // The multipart limit of one file answers before the route's own check.
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error.message).toMatch(/file/i);
    await expectNothingStored();
  });

  it('holds batch lines to the content limits of a job', async () => {
    const answer = await upload(harness.app, [
      { name: 'purpose', value: 'batch' },
      { name: 'file', content: `${line(0)}\n${line(1, 'y'.repeat(1_000_001))}` },
    ]);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.code).toBe('invalid_file');
    expect(answer.json().error.details[0]).toMatchObject({ line: 2 });
    await expectNothingStored();
  });

  it('stores a valid upload whose purpose comes last, and counts its bytes', async () => {
    const content = `${line(0)}\n${line(1)}\n`;
    const answer = await upload(harness.app, [
      { name: 'file', content },
      { name: 'purpose', value: 'batch' },
    ]);
    expect(answer.statusCode).toBe(200);
    const usage = await harness.app.inject({ method: 'GET', url: '/v1/usage', headers: auth(KEY) });
    expect(usage.json().limits.storage_bytes.used).toBe(answer.json().bytes);
  });
});
