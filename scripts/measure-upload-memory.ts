/**
 * Peak memory of the API process during maximal uploads (docs/security.md): the process's RSS
 * is sampled every 10 ms while a 200 MB upload streams in over real HTTP, from a client that
 * generates the bytes as it sends them (so the figure is the server's, not a buffered body).
 *
 *   pnpm measure:upload-memory
 *
 * Needs the Redis of `REDIS_URL` (default 127.0.0.1:6379); writes under a prefix of its own and
 * deletes it at the end. Cases: a file with no newline (refused at the line limit), and a
 * 200 MB file of 1 MB lines (every line at the content limit: stored, then deleted).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '@switchyard/app/app';
import { createServices } from '@switchyard/app/services';
import { MAX_FILE_BYTES } from '@switchyard/batches';
import { parseConfig } from '@switchyard/config';
import { Redis } from 'ioredis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'measure-key-0123456789abcdef';
const MB = 1024 * 1024;
const BOUNDARY = 'switchyardmeasure';

/** The multipart body, produced piece by piece: `fileBytes` of content from `pieces`. */
async function* multipart(pieces: () => Generator<Buffer>): AsyncGenerator<Buffer> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`);
  yield Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`,
  );
  yield* pieces();
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function* noNewline(): Generator<Buffer> {
  const chunk = Buffer.alloc(MB, 'a');
  for (let sent = 0; sent + MB <= MAX_FILE_BYTES - MB; sent += MB) yield chunk;
}

function* megabyteLines(): Generator<Buffer> {
  const content = 'w'.repeat(1_000_000 - 100);
  let sent = 0;
  for (let index = 0; ; index++) {
    const line = Buffer.from(
      `${JSON.stringify({
        custom_id: `line-${index}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'main', messages: [{ role: 'user', content }] },
      })}\n`,
    );
    if (sent + line.length > MAX_FILE_BYTES - MB) return;
    sent += line.length;
    yield line;
  }
}

async function upload(origin: string, pieces: () => Generator<Buffer>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request(`${origin}/v1/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    // The server may answer (and close) before the body is all sent: that is the point.
    outgoing.on('error', reject);
    (async () => {
      for await (const piece of multipart(pieces)) {
        if (outgoing.destroyed) return;
        if (!outgoing.write(piece)) await new Promise((resume) => outgoing.once('drain', resume));
      }
      outgoing.end();
    })().catch(reject);
  });
}

async function measure(name: string, run: () => Promise<{ status: number; body: string }>) {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = Date.now();
  const answer = await run();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const code = answer.status === 200 ? 'stored' : JSON.parse(answer.body).error.code;
  console.log(
    `${name}: ${answer.status} ${code} in ${Date.now() - started} ms; RSS ${(baseline / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB (+${((peak - baseline) / MB).toFixed(0)} MB)`,
  );
}

const prefix = `measure-${randomUUID().slice(0, 8)}`;
const config = parseConfig(
  {
    presets: 'off',
    redis: { url: REDIS_URL, prefix },
    auth: { apiKeys: [{ key: KEY, tenant: 'measure' }] },
    tenantDefaults: { limits: { storage: '1GB' } },
  },
  {},
);
const services = createServices(config);
const app = await buildApp(services);
await app.listen({ port: 0, host: '127.0.0.1' });
const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
try {
  await measure(`${MAX_FILE_BYTES / MB - 1} MB with no newline`, () => upload(origin, noNewline));
  await measure(`${MAX_FILE_BYTES / MB - 1} MB of 1 MB lines`, () => upload(origin, megabyteLines));
} finally {
  await app.close();
  await services.close();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
  await redis.quit();
}
