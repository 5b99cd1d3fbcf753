import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The Switchyard process refusing to start: on an invalid variable, on a provider key with no
// API key and no file (both before Redis is reached), and on a production process with no
// provider.

const root = new URL('..', import.meta.url).pathname;

/** Variables of this machine that would change what is checked here: left unset. */
const CLEARED = Object.fromEntries(
  [
    'SWITCHYARD_CONFIG',
    'SWITCHYARD_API_KEY',
    'SWITCHYARD_ADMIN_KEY',
    'SWITCHYARD_WEBHOOK_SECRET',
    'SWITCHYARD_ROLE',
    'SWITCHYARD_LOCK_DURATION_MS',
    'PORT',
    'NODE_ENV',
    'SWITCHYARD_DEMO',
  ].map((name) => [name, '']),
);

function runSwitchyard(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/switchyard/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...CLEARED, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('start-up', () => {
  it('stops on invalid variables, naming each, never echoing a secret', async () => {
    const secret = 'sk-short-secret';
    const { code, output } = await runSwitchyard({
      SWITCHYARD_LOCK_DURATION_MS: 'abc',
      SWITCHYARD_ROLE: 'boss',
      SWITCHYARD_API_KEY: secret,
    });
    expect(code).toBe(2);
    for (const name of ['SWITCHYARD_LOCK_DURATION_MS', 'SWITCHYARD_ROLE', 'SWITCHYARD_API_KEY']) {
      expect(output).toContain(`${name}: `);
    }
    expect(output).not.toContain(secret);
  }, 30_000);

  it('with a provider key, no file and no SWITCHYARD_API_KEY, says to set SWITCHYARD_API_KEY', async () => {
    const { code, output } = await runSwitchyard({ GROQ_API_KEY: 'gsk-start-up-test-key' });
    expect(code).toBe(2);
    expect(output).toContain('set SWITCHYARD_API_KEY');
    expect(output).not.toContain('gsk-start-up-test-key');
  }, 30_000);

  it('with NODE_ENV=production and no provider, refuses to run the demo unless SWITCHYARD_DEMO=1', async () => {
    const { code, output } = await runSwitchyard({ NODE_ENV: 'production', SIM_PORT: '0', PORT: '0' });
    expect(code).toBe(2);
    expect(output).toContain('SWITCHYARD_DEMO=1');
    expect(output).not.toContain('running the bundled simulator');
  }, 30_000);
});
