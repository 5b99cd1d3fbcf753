import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(() => redis.quit());

describe('the logger', () => {
  it('never logs the arguments of a failed Redis command (they hold prompts)', async () => {
    const marker = `prompt-marker-${Date.now()}`;
    const key = `switchyard-logger-test:${marker}`;
    await redis.set(key, 'a string', 'PX', 10_000);
    // A list command on a string: Redis answers WRONGTYPE, and ioredis puts the command's
    // arguments (the prompt) on the error.
    const error = await redis.lpush(key, `The prompt: ${marker}`).catch((caught: unknown) => caught);
    expect(JSON.stringify((error as { command?: unknown }).command)).toContain(marker);

    const lines: string[] = [];
    const logger = createLogger(
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    logger.error({ err: error }, 'a Redis command failed');
    logger.warn({ error }, 'again, under another name');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(marker);
      expect(JSON.parse(line).err?.command ?? JSON.parse(line).error?.command).toEqual({ name: 'lpush' });
    }
  });
});
