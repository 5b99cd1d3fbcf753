import { describe, expect, it } from 'vitest';
import { checkCallbackUrl } from './check-callback-url.ts';

const strict = { allowPrivateNetworks: false };
const relaxed = { allowPrivateNetworks: true };

describe('checkCallbackUrl', () => {
  it.each([
    'http://127.0.0.1:9/hook',
    'http://localhost/hook',
    'http://LOCALHOST/hook',
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10:8080/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[fd00:ec2::254]/latest',
    'http://0x7f.1/hook',
    'http://2130706433/hook',
    'http://0177.0.0.1/hook',
    'http://0.0.0.0/hook',
    'https://100.64.1.1/hook',
  ])('refuses %s as private', async (url) => {
    const checked = await checkCallbackUrl(url, strict);
    expect(checked).toMatchObject({ ok: false, code: 'private_callback_url' });
    expect(checked.ok === false && checked.message).toMatch(/non-public address/);
  });

  it.each([
    ['ftp://example.com/x', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['not a url', /not an absolute URL/],
    ['/relative/path', /not an absolute URL/],
    ['http://user:pass@8.8.8.8/hook', /credentials/],
    ['http://user@8.8.8.8/hook', /credentials/],
    [`https://8.8.8.8/${'a'.repeat(2100)}`, /longer than/],
  ])('refuses %s as invalid', async (url, message) => {
    const checked = await checkCallbackUrl(url, strict);
    expect(checked).toMatchObject({ ok: false, code: 'invalid_callback_url' });
    expect(checked.ok === false && checked.message).toMatch(message);
  });

  it('accepts a public address and hands back the parsed URL', async () => {
    const checked = await checkCallbackUrl('https://8.8.8.8/hooks?tenant=acme', strict);
    expect(checked.ok && checked.url.href).toBe('https://8.8.8.8/hooks?tenant=acme');
    expect((await checkCallbackUrl('http://[2606:4700:4700::1111]:8443/h', strict)).ok).toBe(true);
  });

  it('accepts private and loopback hosts when private networks are allowed', async () => {
    for (const url of [
      'http://127.0.0.1:3000/hook',
      'http://localhost/hook',
      'http://10.0.0.1/h',
      'http://[::1]/h',
    ]) {
      expect(await checkCallbackUrl(url, relaxed)).toMatchObject({ ok: true });
    }
    expect(await checkCallbackUrl('ftp://127.0.0.1/x', relaxed)).toMatchObject({
      code: 'invalid_callback_url',
    });
  });
});
