/**
 * The sandbox over HTTPS (`startSandbox({ tls })`), as the benchmark's network rows use it: the same
 * API behind TLS, and a count of the TLS handshakes it completed, which tells how many connections a
 * client opened. The certificate is a throwaway one made with openssl for 127.0.0.1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { NO_DELAYS } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/** A self-signed certificate for IP 127.0.0.1, valid for a day. */
function selfSigned(): { key: string; cert: string } {
  const dir = tempDir('yotta-tls-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

/** GET `path` over HTTPS through `agent`, trusting `ca`; resolves with the parsed envelope. */
function get(s: Sandbox, path: string, agent: Agent): Promise<{ code: number; data: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}/openapi/v1/elastic/deploy${path}`, { agent, headers: { 'x-api-key': s.apiKey } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text) as { code: number; data: unknown }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let sb: Sandbox | undefined;
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) a.destroy();
  await sb?.close();
  sb = undefined;
});

describe.runIf(hasOpenssl)('the sandbox over HTTPS', () => {
  it('serves the API on an https:// URL and counts one handshake per connection, none per request', async () => {
    const { key, cert } = selfSigned();
    sb = await startSandbox({ delays: NO_DELAYS, tls: { key, cert } });
    expect(sb.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.tlsHandshakes).toBe(0);

    const kept = new Agent({ ca: cert, keepAlive: true, maxSockets: 1 });
    agents.push(kept);
    for (let i = 0; i < 3; i++) expect(await get(sb, '/list', kept)).toEqual({ code: 10000, message: 'success', data: [] });
    expect(sb.tlsHandshakes).toBe(1);

    const other = new Agent({ ca: cert, keepAlive: true });
    agents.push(other);
    await get(sb, '/list', other);
    expect(sb.tlsHandshakes).toBe(2);
    expect(sb.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(4).fill('GET /openapi/v1/elastic/deploy/list'));
  });

  it('refuses a client that does not trust its certificate, and counts no handshake for it', async () => {
    const { key, cert } = selfSigned();
    sb = await startSandbox({ delays: NO_DELAYS, tls: { key, cert } });
    const untrusting = new Agent({ keepAlive: false });
    agents.push(untrusting);
    await expect(get(sb, '/list', untrusting)).rejects.toThrow(/self-signed certificate/);
    expect(sb.tlsHandshakes).toBe(0);
    expect(sb.requests).toEqual([]);
  });
});

describe('the sandbox over plain HTTP', () => {
  it('has an http:// URL and no handshakes to count', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    expect(sb.url).toMatch(/^http:\/\//);
    expect(sb.tlsHandshakes).toBe(0);
  });
});
