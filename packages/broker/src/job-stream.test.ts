import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Job, JobStatus } from './job.ts';
import { createJobStreamReader, createJobStreamWriter, type JobStreamEvent } from './job-stream.ts';
import { createKeys } from './keys.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './quota/test-support.ts';

// A reader that joins after its job ended (the fast path can answer before the API process
// starts reading) gets the whole answer: its first wake-up may come from a round of the shared
// read that did not cover its stream, and the job is terminal by then.

const prefix = testPrefix();
const keys = createKeys(prefix);
const statuses = new Map<string, JobStatus>();
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const jobOf = (id: string) => {
  const status = statuses.get(id);
  return status ? ({ id, status } as Job) : undefined;
};

/** Writes a whole answer in the order a worker does: deltas, the job terminal, then `end`. */
async function answered(id: string) {
  const writer = createJobStreamWriter(redis, keys);
  statuses.set(id, 'running');
  for (const text of ['Sentence one, ', 'sentence two, ', 'the end.'])
    await writer.append(id, { type: 'delta', text });
  await writer.append(id, { type: 'tool_call_delta', index: 0, id: 'call-1', name: 'weather' });
  await writer.append(id, { type: 'tool_call_delta', index: 0, arguments: '{"city":"Paris"}' });
  statuses.set(id, 'succeeded');
  await writer.end(id);
}

async function collect(events: AsyncGenerator<JobStreamEvent>) {
  let text = '';
  let calls = '';
  let end: Job | undefined;
  for await (const event of events) {
    if (event.type === 'delta') text += event.text;
    else if (event.type === 'tool_call_delta') calls += `${event.name ?? ''}${event.arguments ?? ''}`;
    else end = event.job;
  }
  return { text, calls, status: end?.status };
}

it('gives a reader that joins after the job ended every delta, while other streams are read', async () => {
  const reader = createJobStreamReader(redis, keys, async (id) => jobOf(id));
  try {
    // A job that is still running keeps the shared read blocked on its stream alone.
    statuses.set('busy', 'running');
    const busy = reader.read('busy', Date.now() + 60_000);
    const busyEnded = busy.next();
    const finished = Array.from({ length: 20 }, (_, index) => `finished-${index}`);
    for (const id of finished) await answered(id);
    const read = await Promise.all(finished.map((id) => collect(reader.read(id, Date.now() + 60_000))));
    for (const each of read)
      expect(each).toEqual({
        text: 'Sentence one, sentence two, the end.',
        calls: 'weather{"city":"Paris"}',
        status: 'succeeded',
      });
    statuses.set('busy', 'cancelled');
    expect(await busyEnded).toEqual({ done: false, value: { type: 'end', job: jobOf('busy') } });
  } finally {
    reader.close();
  }
});
