/**
 * Hardening (issue 12), in-process: the edges where a bad server, a bad file or a bad flag could make
 * yotta eat memory, send a write twice, advise a blind retry, or give a wrong answer. Each case runs
 * the CLI through main() (or the API layer) against the emulator or a real loopback server that
 * misbehaves on purpose. The cases about processes, signals and terminals are in hardening-e2e.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient, MAX_RESPONSE_BYTES } from '../../src/api/client.js';
import { listDeployments } from '../../src/api/deployments.js';
import { ApiError, ExitCode } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';
import { startProxy, startRawServer } from '../api/raw-server.js';
import type { RawServer } from '../api/raw-server.js';
import { BASE, NO_DELAYS, VALID_SPEC, calls, envelope, errorMessage, expectNoCrash, fakeDeployment, seed, writes } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('hardening', 8, 'Hardening');
afterAll(() => counts.save());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function sandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ delays: NO_DELAYS, ...o });
  cleanups.push(() => sb.close());
  return sb;
}

async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  cleanups.push(() => s.close());
  return s;
}

const KEY = 'yk-HARDEN-7Qx2Zk9WvB4nT8mR3pLs';

/** Runs yotta in-process against `url` with `key`, in a folder holding spec.yaml. */
function yotta(url: string, key: string, args: string[], o: RunOptions = {}) {
  const cwd = tempDir('yotta-harden-');
  writeFileSync(join(cwd, 'spec.yaml'), VALID_SPEC);
  return runCli(args, { cwd, ...o, env: { YOTTA_BASE_URL: url, YOTTA_API_KEY: key, ...o.env } });
}

/** Keeps writing to `res` until the client goes away: an endless body. */
function endless(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"code":10000,"message":"success","data":"');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

// ---------------------------------------------------------------- Memory

describe('a response body is read up to a limit (item 4)', () => {
  it('an endless body stops at the limit with a clear error (exit 1), not all of memory', async () => {
    const s = await raw((_req, res) => endless(res));
    const c = new ApiClient({ baseUrl: s.url, apiKey: KEY, userAgent: 'harden', maxResponseBytes: 4 * 1024 * 1024 });
    const err = await listDeployments(c).then(
      () => undefined,
      (e: unknown) => e,
    );
    await c.close();
    counts.add('Memory', 'endless response body: reading stops at the limit, exit 1 naming it; 100,000 deployments fit under the default');
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe(`GET ${BASE}/list: HTTP 200, a response larger than 4 MiB; stopped reading it`);
    expect((err as ApiError).exitCode).toBe(ExitCode.ERROR);
    // Not retried: the same answer would come again.
    expect(s.seen).toHaveLength(1);
  });

  it('the default limit holds a 100,000-deployment list with room to spare', () => {
    counts.add('Memory', 'endless response body: reading stops at the limit, exit 1 naming it; 100,000 deployments fit under the default');
    // An emulator deployment is about 1.1 KB of JSON; the fixture's is smaller, so pad it to 2 KB.
    const one = JSON.stringify({ ...fakeDeployment(1), initializationCommand: 'x'.repeat(2048 - JSON.stringify(fakeDeployment(1)).length) });
    expect(one.length).toBeGreaterThanOrEqual(2048);
    expect(100_000 * (one.length + 1)).toBeLessThan(MAX_RESPONSE_BYTES);
  });
});

// ---------------------------------------------------------------- Writes

describe('a write answered without the API envelope: outcome unknown (exit 7), never "try again" (item 8)', () => {
  const answers = [
    { label: 'HTML 500', status: 500 },
    { label: 'HTML 520', status: 520 },
    { label: 'HTML 522', status: 522 },
    { label: 'HTML 524', status: 524 },
  ];
  it.each(answers)('deploy stop <id>, $label: exit 7, the check command, sent once', async ({ status }) => {
    const sb = await sandbox({ apiKey: KEY });
    const [d] = await seed(sb, ['h-stop']);
    sb.addFault({ kind: 'html', status, match: { method: 'POST' } });
    const r = await yotta(sb.url, KEY, ['deploy', 'stop', d!.id]);
    counts.add('Writes', 'a write answered by HTML 500/520/522/524 or plain text: exit 7 "outcome unknown" with the check command, sent once');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toContain('the outcome is unknown');
    expect(r.stderr).toContain(`yotta deploy get ${d!.id}`);
    expect(r.stderr).not.toMatch(/try again later/i);
    expect(writes(sb)).toEqual([`POST ${BASE}/${d!.id}/stop`]);
  });

  it('deploy stop <id>, plain-text 500: --json error has outcome "unknown" and the check command', async () => {
    const d = fakeDeployment(7);
    const s = await raw((req, res) => {
      if (req.method === 'GET') {
        res.end(envelope(d));
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream error');
    });
    const r = await yotta(s.url, KEY, ['deploy', 'stop', d.id, '--json']);
    counts.add('Writes', 'a write answered by HTML 500/520/522/524 or plain text: exit 7 "outcome unknown" with the check command, sent once');
    expect(r.code, r.stderr).toBe(7);
    const e = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: Record<string, unknown> }).error;
    expect(e).toMatchObject({ exitCode: 7, outcome: 'unknown', check: `yotta deploy get ${d.id}` });
    expect(s.seen.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it.each([
    { label: 'HTTP 429 as an HTML page', rule: { kind: 'html' as const, status: 429 } },
    { label: 'envelope code 429 on HTTP 200', rule: { kind: 'envelope' as const, code: 429, message: 'too many requests' } },
  ])('a 429 in any form ($label) was refused, so the write is re-sent and succeeds', async ({ rule }) => {
    const sb = await sandbox({ apiKey: KEY });
    const [d] = await seed(sb, ['h-429']);
    sb.addFault({ ...rule, match: { method: 'POST' } });
    const r = await yotta(sb.url, KEY, ['deploy', 'stop', d!.id]);
    counts.add('Writes', 'a 429 in any form (HTML page, envelope code on HTTP 200) to a write: re-sent after backing off, succeeds');
    expect(r.code, r.stderr).toBe(0);
    expect(writes(sb)).toEqual([`POST ${BASE}/${d!.id}/stop`, `POST ${BASE}/${d!.id}/stop`]);
  });
});

describe('after a create whose outcome is unknown, only a deployment created after the command started counts (item 9)', () => {
  it('the create never arrived and an older namesake exists: says no new one is listed, names the older one as older', async () => {
    const sb = await sandbox({ apiKey: KEY });
    const [old] = await seed(sb, ['rel-llama']);
    sb.addFault({ kind: 'reset-before', match: { method: 'POST', path: '/create' } });
    const r = await yotta(sb.url, KEY, ['deploy', 'create', '-f', 'spec.yaml', '--allow-duplicate-name']);
    counts.add('Writes', 'create with an unknown outcome and an older deployment of the same name: the older one is never taken for the new one');
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).toMatch(/no new deployment named "rel-llama" is listed yet \(one older deployment has that name: \d{18}; not the one just sent\)/);
    expect(r.stderr).toContain(old!.id);
    expect(r.stderr).not.toMatch(/exists now|Look at it with/);
    expect(writes(sb)).toEqual([`POST ${BASE}/create`]);
  });

  it('the create was applied and an older namesake exists: points at the new one only', async () => {
    const sb = await sandbox({ apiKey: KEY });
    const [old] = await seed(sb, ['rel-llama']);
    sb.addFault({ kind: 'reset-after', match: { method: 'POST', path: '/create' } });
    const r = await yotta(sb.url, KEY, ['deploy', 'create', '-f', 'spec.yaml', '--allow-duplicate-name', '--json']);
    counts.add('Writes', 'create with an unknown outcome and an older deployment of the same name: the older one is never taken for the new one');
    expect(r.code, r.stderr).toBe(7);
    const fresh = (await listDeployments(new ApiClient({ baseUrl: sb.url, apiKey: KEY, userAgent: 'h' }))).find((d) => d.id !== old!.id)!;
    const e = (JSON.parse(r.stderr) as { error: { message: string; outcome: string; check: string } }).error;
    expect(e.message).toMatch(/but a new deployment named "rel-llama" exists now: rel-llama/);
    expect(e.message).not.toContain(old!.id.slice(-4) + ')');
    expect(e).toMatchObject({ outcome: 'unknown', check: `yotta deploy get ${fresh.id}` });
  });
});

// ---------------------------------------------------------------- Wrong answers

describe('only the API itself says "gone" (item 10)', () => {
  it('deploy wait --for deleted against a plain 404 page: an error naming the base URL, not "deleted"', async () => {
    const s = await raw((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>404 page not found</body></html>');
    });
    const r = await yotta(s.url, KEY, ['deploy', 'wait', '378888638324150969', '--for', 'deleted']);
    counts.add('Wrong answers', 'a plain HTTP 404 (proxy, wrong base URL) is an error naming the base URL, never "deleted"; the API\'s 24001 still is');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(s.url);
    expect(r.stderr).not.toMatch(/is deleted|deleted: true/);
    expect(r.stdout).toBe('');
  });

  it("the API's own not-found (24001) still means deleted", async () => {
    const sb = await sandbox({ apiKey: KEY });
    const r = await yotta(sb.url, KEY, ['deploy', 'wait', '378888638324150969', '--for', 'deleted', '--json']);
    counts.add('Wrong answers', 'a plain HTTP 404 (proxy, wrong base URL) is an error naming the base URL, never "deleted"; the API\'s 24001 still is');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: true });
  });
});

describe('auth failures and rate limits inside the envelope (item 11)', () => {
  it.each([
    { label: 'code 40101 on HTTP 200', rule: { kind: 'envelope' as const, code: 40101, message: 'invalid api key' } },
    { label: 'code 40001 on HTTP 200', rule: { kind: 'envelope' as const, code: 40001, message: 'api key required' } },
    { label: 'code 40101 on HTTP 401', rule: { kind: 'status' as const, status: 401, code: 40101, message: 'invalid api key' } },
  ])('deploy list, $label: exit 3 with the auth hint', async ({ rule }) => {
    const sb = await sandbox({ apiKey: KEY });
    sb.addFault({ ...rule, times: 10 });
    const r = await yotta(sb.url, KEY, ['deploy', 'list']);
    counts.add('Wrong answers', 'auth failure codes 40101/40001 in the envelope (HTTP 200 or 401): exit 3 with the auth hint');
    expect(r.code, r.stderr).toBe(3);
    // The key came from YOTTA_API_KEY here, so the hint is about that variable (a stored key's hint names auth login).
    expect(r.stderr).toContain('YOTTA_API_KEY');
  });

  it('deploy list, envelope code 429 on HTTP 200: retried like HTTP 429, then succeeds', async () => {
    const sb = await sandbox({ apiKey: KEY });
    await seed(sb, ['h-rl']);
    sb.addFault({ kind: 'envelope', code: 429, message: 'too many requests', match: { method: 'GET' } });
    const r = await yotta(sb.url, KEY, ['deploy', 'list', '--json']);
    counts.add('Wrong answers', 'envelope code 429 on HTTP 200 to a read: retried, succeeds');
    expect(r.code, r.stderr).toBe(0);
    expect(calls(sb)).toEqual([`GET ${BASE}/list`, `GET ${BASE}/list`]);
  });
});

describe('nested defaults in a spec (item 12)', () => {
  const spec = VALID_SPEC.replace(/^image: .*$/m, 'image: "${IMAGE:-${FALLBACK_IMAGE}}"');

  it('${A:-${B}} is filled from B, never sent as the literal text', async () => {
    const cwd = tempDir('yotta-harden-');
    writeFileSync(join(cwd, 'nested.yaml'), spec);
    const r = await runCli(['deploy', 'create', '-f', 'nested.yaml', '--dry-run'], { cwd, env: { FALLBACK_IMAGE: 'busybox:1.36' } });
    counts.add('Wrong answers', 'nested defaults ${A:-${B}}: filled, or refused with file:line:col; never sent as text');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { image: string }).image).toBe('busybox:1.36');
    expect(r.stdout).not.toContain('${');
  });

  it('${A:-${B}} with neither set is refused at file:line:col, nothing sent', async () => {
    const sb = await sandbox({ apiKey: KEY });
    const cwd = tempDir('yotta-harden-');
    writeFileSync(join(cwd, 'nested.yaml'), spec);
    const r = await runCli(['deploy', 'create', '-f', 'nested.yaml'], { cwd, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: KEY } });
    counts.add('Wrong answers', 'nested defaults ${A:-${B}}: filled, or refused with file:line:col; never sent as text');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Error: nested\.yaml:\d+:\d+: .*FALLBACK_IMAGE is not set/m);
    expect(sb.requests).toHaveLength(0);
  });
});

describe('spec validation reports every problem in one pass (item 13)', () => {
  it('a missing containerVolumeInGb and expose.port 0 are both reported at once', async () => {
    const cwd = tempDir('yotta-harden-');
    const spec = VALID_SPEC.replace(/^containerVolumeInGb: .*\n/m, '') + 'expose:\n  port: 0\n';
    expect(spec).not.toContain('containerVolumeInGb');
    writeFileSync(join(cwd, 'two.yaml'), spec);
    const r = await runCli(['deploy', 'create', '-f', 'two.yaml', '--dry-run'], { cwd });
    counts.add('Wrong answers', 'a spec with a missing key and a bad value: both reported in one run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/two\.yaml:\d+:\d+: missing required key "containerVolumeInGb"/);
    expect(r.stderr).toMatch(/two\.yaml:\d+:\d+: expose\.port: must be at least 1, got 0/);
  });
});

describe('valid JSON with deep nesting and a bare 18-digit id (item 14)', () => {
  it('deploy list reads it, showing the id exact', async () => {
    const d = fakeDeployment(3);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const body = envelope([{ ...d, extra: '@@' }]).replace(`"id":"${d.id}"`, `"id":${d.id}`).replace('"@@"', deep);
    expect(body).toContain(`"id":${d.id},`);
    const s = await raw((_req, res) => res.end(body));
    const r = await yotta(s.url, KEY, ['deploy', 'list']);
    counts.add('Wrong answers', 'valid JSON nested 20,000 deep with a bare 18-digit id: read, id exact');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${d.id}\\s+${d.name}\\s`, 'm'));
    // As JSON it is too deep for any JSON writer: a clear error, not a crash.
    const json = await yotta(s.url, KEY, ['deploy', 'list', '--json']);
    expectNoCrash(json);
    expect(json.code).toBe(1);
    expect(json.stderr).toMatch(/nested too deeply to write as JSON/);
  });
});

// ---------------------------------------------------------------- Polling

describe('polling has a floor (item 17)', () => {
  it.each(['0', '1ms', '500ms', '0.2'])('deploy wait --interval %s: exit 2, nothing sent', async (interval) => {
    const sb = await sandbox({ apiKey: KEY });
    const [d] = await seed(sb, ['h-poll']);
    sb.requests.length = 0;
    const r = await yotta(sb.url, KEY, ['deploy', 'wait', d!.id, '--interval', interval]);
    counts.add('Polling', 'deploy wait --interval under 1s (0, 1ms, 500ms, 0.2): exit 2, nothing sent');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--interval: at least 1s between polls/);
    expect(sb.requests).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- Secrets and terminals

describe('a proxy never sees a loopback request (item 18)', () => {
  it('HTTP_PROXY set, --base-url on localhost: the request goes direct, the key never crosses the proxy', async () => {
    const sb = await sandbox({ apiKey: KEY });
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const r = await yotta(sb.url, KEY, ['deploy', 'list'], { env: { HTTP_PROXY: proxy.url, http_proxy: proxy.url } });
    counts.add('Secrets', 'HTTP_PROXY/HTTPS_PROXY with a loopback base URL: the proxy carries nothing');
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.carried).toEqual([]);
    expect(calls(sb)).toEqual([`GET ${BASE}/list`]);
  });
});

describe('--debug masks the key wherever it appears and escapes server text (item 19)', () => {
  it('a request id echoing the key, and an error page with terminal escapes', async () => {
    const s = await raw((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html', 'x-request-id': `req-${KEY}` });
      res.end('\u001b]0;pwned\u0007\u001b[2J<h1>broken \u009b31m \u202egnp.exe</h1>');
    });
    const r = await yotta(s.url, KEY, ['--debug', 'deploy', 'list']);
    counts.add('Secrets', '--debug with a request id echoing the key and an error page with OSC/CSI/C1/bidi: key masked, escapes shown as text');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain(KEY);
    expect(r.stderr).not.toContain(KEY.slice(-12));
    expect(r.stderr).toContain(`request-id req-***${KEY.slice(-4)}`);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0007\u001b\u009b\u202e]/);
    expect(r.stderr).toContain('\\u001b]0;pwned\\u0007');
  });

  const hostile = { ...fakeDeployment(9), name: 'evil\u009b2J\u200e\u202eexe.txt\u2066' };

  it('tables escape C1 and bidi characters', async () => {
    const s = await raw((_req, res) => res.end(envelope([hostile])));
    const r = await yotta(s.url, KEY, ['deploy', 'list']);
    counts.add('Terminals', 'server names with C1 (U+009B) and bidi marks in tables, JSON and YAML: escaped as each syntax requires');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('evil\\u009b2J\\u200e\\u202eexe.txt\\u2066');
  });

  it('JSON writes them as \\uXXXX, and reads back to the same text', async () => {
    const s = await raw((_req, res) => res.end(envelope([hostile])));
    const r = await yotta(s.url, KEY, ['deploy', 'list', '--json']);
    counts.add('Terminals', 'server names with C1 (U+009B) and bidi marks in tables, JSON and YAML: escaped as each syntax requires');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('"name": "evil\\u009b2J\\u200e\\u202eexe.txt\\u2066"');
    expect((JSON.parse(r.stdout) as { name: string }[])[0]!.name).toBe(hostile.name);
  });

  it('YAML quotes them', async () => {
    const s = await raw((_req, res) => res.end(envelope([hostile])));
    const r = await yotta(s.url, KEY, ['deploy', 'list', '-o', 'yaml']);
    counts.add('Terminals', 'server names with C1 (U+009B) and bidi marks in tables, JSON and YAML: escaped as each syntax requires');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/name: "evil/);
  });

  it('the JSON error of a write with an unknown outcome escapes them too', async () => {
    const s = await raw((req, res) => {
      if (req.method === 'GET') {
        res.end(envelope(hostile));
        return;
      }
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<p>bad \u009b gateway \u202e</p>');
    });
    const r = await yotta(s.url, KEY, ['deploy', 'stop', hostile.id, '--json']);
    counts.add('Terminals', 'server names with C1 (U+009B) and bidi marks in tables, JSON and YAML: escaped as each syntax requires');
    expect(r.code, r.stderr).toBe(7);
    expect(r.stderr).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(errorMessage(r.stderr)).toContain('outcome is unknown');
  });
});
