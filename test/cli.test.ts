import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatProgress } from '../apps/cli/src/progress-bar.ts';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { type Harness, startHarness } from './support/app-harness.ts';

// The `switchyard` CLI as a child process, against the real app over the provider simulator.

const KEY = 'cli-key-0123456789abcdef';
const DOCUMENTS = 12;
const PROVIDERS = ['free-one', 'free-two'];
const root = new URL('..', import.meta.url).pathname;

let harness: Harness;
let work: string;

function documentText(index: number): string {
  return [
    `Memo ${index} is about the old mill.`,
    `The mill ground ${index * 7} sacks of grain last week.`,
    'Its wheel needs new paddles before winter.',
    `Worker ${index} suggested a night shift.`,
  ].join(' ');
}

beforeAll(async () => {
  const provider = (id: string, format: 'openai' | 'gemini') => ({
    id,
    format,
    models: [{ name: 'm', contextWindow: 8_000 }],
    switchyard: {
      tier: 'free',
      models: [{ name: 'm', contextWindow: 8_000, price: { input: 0, output: 0 } }],
      limits: [{ requests: 100, per: '1m' }],
      concurrency: 8,
      timeout: '5s',
    },
  });
  // One call every 3 s: a batch of two waits for its quota, and the progress bar says so.
  const slow = provider('free-slow', 'openai');
  slow.switchyard.limits = [{ requests: 1, per: '3s' }];
  harness = await startHarness({
    providers: [provider('free-one', 'openai'), provider('free-two', 'gemini'), slow],
    routes: { summarize: { targets: ['free-one/m', 'free-two/m'] }, slow: { targets: ['free-slow/m'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'cli' }] },
    listen: true,
  });
  work = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
}, 60_000);

afterAll(async () => {
  await harness?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI in a child process (asynchronously: the app serves it from this process). */
function cli(args: string[], key = KEY): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, SWITCHYARD_URL: harness.origin, SWITCHYARD_API_KEY: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

it('summarizes a folder of documents: output.jsonl by file name and one summary per document', async () => {
  const folder = join(work, 'docs');
  const out = join(work, 'results');
  mkdirSync(folder);
  const names = Array.from({ length: DOCUMENTS }, (_, index) => `memo-${String(index).padStart(2, '0')}.txt`);
  for (const [index, name] of names.entries()) writeFileSync(join(folder, name), documentText(index));

  const run = await cli(['batch', folder, '--route', 'summarize', '--max-tokens', '64', '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain(`${DOCUMENTS} succeeded, 0 failed`);
  expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);

  const lines = readFileSync(join(out, 'output.jsonl'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(DOCUMENTS);
  const ids = lines.map((line) => (JSON.parse(line) as { custom_id: string }).custom_id);
  expect(ids.sort()).toEqual(names);
  expect(readFileSync(join(out, 'errors.jsonl'), 'utf8')).toBe('');
  for (const [index, name] of names.entries()) {
    const summary = readFileSync(join(out, name.replace('.txt', '.summary.txt')), 'utf8').trim();
    // The simulator's summary of the document, as the provider answered it.
    expect(summary).toBe(summarize(documentText(index), 64).text);
    for (const sentence of summary.split(/(?<=\.)\s+/)) expect(documentText(index)).toContain(sentence);
  }
});

it('says in the progress bar what the jobs wait for: the provider whose quota is spent, and when it resets', async () => {
  const folder = join(work, 'slow-docs');
  mkdirSync(folder);
  for (const index of [1, 2]) writeFileSync(join(folder, `memo-${index}.txt`), documentText(index));

  const run = await cli(['batch', folder, '--route', 'slow', '--out', join(work, 'slow-results')]);

  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('2 succeeded, 0 failed');
  expect(run.stderr).toMatch(/in_progress · waiting for free-slow quota \(resets in [1-3] s\)/);
});

it('lists every provider, and answers a wrong key with exit 2 and unauthorized', async () => {
  const table = await cli(['providers']);
  expect(table.code, table.stderr).toBe(0);
  for (const id of PROVIDERS) expect(table.stdout).toContain(id);
  expect(table.stdout).toMatch(/\d+\/100 req\/1m/);

  const denied = await cli(['providers'], 'not-a-valid-key');
  expect(denied.code).toBe(2);
  expect(denied.stderr).toContain('unauthorized');
  expect(`${denied.stdout}${denied.stderr}`).not.toContain('not-a-valid-key');
});

it('fails a JSONL batch with a line naming an unknown route before it runs, with exit 1 and the line named', async () => {
  const file = join(work, 'requests.jsonl');
  const out = join(work, 'jsonl-results');
  const line = (customId: string, model: string) =>
    JSON.stringify({
      custom_id: customId,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model, messages: [{ role: 'user', content: documentText(1) }], max_tokens: 32 },
    });
  writeFileSync(
    file,
    `${[line('ok-1', 'summarize'), line('lost', 'no-such-route'), line('ok-2', 'summarize')].join('\n')}\n`,
  );

  const run = await cli(['batch', file, '--out', out]);
  // The server refuses the whole batch while validating it: no line runs.
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toContain('the batch ended failed');
  expect(run.stderr).toMatch(
    /"code":"unknown_route","message":"body.model: No route \\"no-such-route\\" is configured","line":2/,
  );
});

it('reports usage errors with exit 2, and draws the progress bar with rate and ETA', async () => {
  const run = await cli(['batch', join(work, 'docs')]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--route');
  expect(formatProgress({ done: 30, total: 120, rate: 3, status: 'in_progress' }, 8)).toBe(
    '[##······]  30/120 25%  3.0/s  ETA 0:30  in_progress',
  );
  const detail = 'waiting for gemini-sim quota (resets in 40 s)';
  expect(formatProgress({ done: 0, total: 30, rate: 0, status: 'in_progress', detail }, 8)).toBe(
    '[········]  0/30 0%  0.0/s  ETA --:--  in_progress · waiting for gemini-sim quota (resets in 40 s)',
  );
});
