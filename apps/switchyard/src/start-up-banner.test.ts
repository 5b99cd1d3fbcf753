import { parseConfig } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { DEMO_KEYS, demoConfig } from './demo.ts';
import { formatStartUpBanner } from './start-up-banner.ts';

const base = 'http://127.0.0.1:8080';

describe('formatStartUpBanner', () => {
  it('leaves a real key to $SWITCHYARD_API_KEY in double quotes, on the route that exists', () => {
    const key = 'sk-real-secret-key-0123456789';
    const config = parseConfig({ auth: { apiKeys: [{ key, tenant: 'default' }] } }, { GROQ_API_KEY: 'gsk' });
    const banner = formatStartUpBanner({ role: 'all', base, config });
    expect(banner).toContain('-H "authorization: Bearer $SWITCHYARD_API_KEY"');
    expect(banner).not.toContain(key);
    expect(banner).toContain('"route":"default"');
    expect(banner).not.toContain('summarize');
    expect(banner).not.toContain('admin key:');
  });

  it('prints the demo keys and the summarize route in the demo', () => {
    const config = parseConfig(
      demoConfig((id) => `http://127.0.0.1:4010/${id}`),
      {},
      'demo',
    );
    const banner = formatStartUpBanner({ role: 'all', base, config });
    expect(banner).toContain(`-H "authorization: Bearer ${DEMO_KEYS.apiKey}"`);
    expect(banner).toContain(`(admin key: ${DEMO_KEYS.adminKey})`);
    expect(banner).toContain('"route":"summarize"');
  });
});
