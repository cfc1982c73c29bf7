import { describe, expect, it } from 'vitest';
import { ApiClient, cleanExcerpt, validateBaseUrl } from '../../src/api/client.js';
import { proxySettingsFromEnv } from '../../src/api/proxy.js';
import { UsageError } from '../../src/errors.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    return `${e.message}\n${e.hint ?? ''}`;
  }
  throw new Error('expected a UsageError');
}

describe('validateBaseUrl', () => {
  it('accepts https anywhere and http on loopback hosts only', () => {
    for (const ok of [
      'https://api.yottalabs.ai',
      'https://staging.example.com/prefix/',
      'http://127.0.0.1:8080',
      'http://127.8.9.10',
      'http://localhost:3000',
      'http://[::1]:9999',
    ]) {
      expect(validateBaseUrl(ok)).toBeInstanceOf(URL);
    }
  });

  it('refuses plain http to a remote host, naming the URL and the fix', () => {
    const text = usageMessage(() => validateBaseUrl('http://api.yottalabs.ai'));
    expect(text).toContain('"http://api.yottalabs.ai"');
    expect(text).toContain('https://api.yottalabs.ai');
    expect(text).toMatch(/localhost|127\.0\.0\.1/);
    // 127.0.0.1.example.com is not loopback.
    usageMessage(() => validateBaseUrl('http://127.0.0.1.example.com'));
  });

  it('refuses what is not a URL, other schemes, credentials and queries', () => {
    expect(usageMessage(() => validateBaseUrl('api.yottalabs.ai'))).toContain('"api.yottalabs.ai" is not a URL');
    usageMessage(() => validateBaseUrl('ftp://api.yottalabs.ai'));
    usageMessage(() => validateBaseUrl('https://u:p@api.yottalabs.ai'));
    usageMessage(() => validateBaseUrl('https://api.yottalabs.ai/?x=1'));
  });

  it('is enforced by the client constructor, which also checks the proxy variables and the key', () => {
    usageMessage(() => new ApiClient({ baseUrl: 'http://10.0.0.1', apiKey: 'k', userAgent: 'ua' }));
    const proxy = usageMessage(
      () => new ApiClient({ baseUrl: 'https://api.yottalabs.ai', apiKey: 'k', userAgent: 'ua', env: { HTTPS_PROXY: 'http://[oops' } }),
    );
    expect(proxy).toContain('HTTPS_PROXY');
    const key = usageMessage(() => new ApiClient({ baseUrl: 'https://api.yottalabs.ai', apiKey: 'yk-abc-secret\n', userAgent: 'ua' }));
    expect(key).not.toContain('yk-abc-secret');
  });
});

describe('ApiClient.urlFor', () => {
  it('keeps a base path and repeats array parameters', () => {
    const c = new ApiClient({ baseUrl: 'https://host.example/prefix/', apiKey: 'k', userAgent: 'ua' });
    expect(c.urlFor('/openapi/v1/elastic/deploy/list', { statusList: ['RUNNING', 'STOPPED'], other: undefined })).toBe(
      'https://host.example/prefix/openapi/v1/elastic/deploy/list?statusList=RUNNING&statusList=STOPPED',
    );
    const plain = new ApiClient({ baseUrl: 'https://host.example', apiKey: 'k', userAgent: 'ua' });
    expect(plain.urlFor('/x', { statusList: [] })).toBe('https://host.example/x');
  });
});

describe('cleanExcerpt', () => {
  it('strips tags, scripts and entities, collapses whitespace and stays within 120 characters', () => {
    const html = `<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>
      <body>\n<h1>502&nbsp;Bad   Gateway</h1><script>alert(1)</script><hr><center>nginx &amp; co</center>${'x'.repeat(300)}</body></html>`;
    const e = cleanExcerpt(html);
    expect(e.startsWith('502 Bad Gateway 502 Bad Gateway nginx & co')).toBe(true);
    expect(e).not.toMatch(/[<>]|color:red|alert/);
    expect(e.length).toBeLessThanOrEqual(120);
  });
});

describe('proxySettingsFromEnv', () => {
  it('is undefined without a proxy variable, so no proxy agent is built', () => {
    expect(proxySettingsFromEnv({ NO_PROXY: 'localhost' })).toBeUndefined();
    expect(proxySettingsFromEnv({ HTTPS_PROXY: '' })).toBeUndefined();
  });

  it('prefers lower-case names and accepts a bare host:port', () => {
    expect(proxySettingsFromEnv({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', NO_PROXY: '127.0.0.1' })).toEqual({
      httpProxy: '',
      httpsProxy: 'http://a:1',
      noProxy: '127.0.0.1',
    });
    expect(proxySettingsFromEnv({ HTTP_PROXY: 'proxy.local:3128' })?.httpProxy).toBe('http://proxy.local:3128');
  });

  it('refuses a bad proxy URL naming only the variable (it may hold a password)', () => {
    const text = usageMessage(() => proxySettingsFromEnv({ HTTPS_PROXY: 'http://user:s3cret@[bad' }));
    expect(text).toContain('HTTPS_PROXY');
    expect(text).not.toContain('s3cret');
    usageMessage(() => proxySettingsFromEnv({ HTTPS_PROXY: 'socks5://proxy:1080' }));
  });
});
