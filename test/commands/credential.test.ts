/**
 * `yotta credential` on a terminal, in-process through main() against the emulator: the hidden
 * password prompt (create, and update --password-stdin when stdin is a terminal), Ctrl-C at it, and
 * delete's confirmation. What a pipe or a script sees is tested with the built CLI in
 * test/e2e/credential.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { InStream } from '../../src/context.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';

const CRED = '/v2/container-registry-auths';
const SECRET = 'typed-secret-Zq81';

let sb: Sandbox;
let homeDir: string;
beforeEach(async () => {
  sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  homeDir = tempDir('yotta-home-');
});
afterEach(async () => {
  await sb.close();
});

function yotta(args: string[], opts: RunOptions = {}) {
  return runCli(args, { homeDir, ...opts, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey, ...opts.env } });
}

/** A stdin that looks like a terminal; the test types into it. */
function ttyStdin(): PassThrough & InStream {
  const s = new PassThrough() as PassThrough & InStream;
  s.isTTY = true;
  s.setRawMode = () => s;
  return s;
}

/** Runs `args` on a terminal and types `keys` once the command waits for them. */
async function typed(args: string[], keys: string) {
  const stdin = ttyStdin();
  const run = yotta(args, { stdin, stdinTTY: true, stderrTTY: true });
  await new Promise((r) => setTimeout(r, 50));
  stdin.write(keys);
  return run;
}

const writes = () => sb.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

describe('yotta credential on a terminal', () => {
  it('create asks for the password with hidden input, sends what was typed, and echoes nothing', async () => {
    const r = await typed(['credential', 'create', 'acme', '--type', 'private', '--username', 'robot'], `${SECRET}\r`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Registry password or access token \(hidden\): \n/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(sb.requests.find((q) => q.method === 'POST')?.body).toEqual({ name: 'acme', type: 'PRIVATE', username: 'robot', password: SECRET });
  });

  it('update --password-stdin on a terminal asks with hidden input instead of reading an echoing terminal', async () => {
    expect((await typed(['credential', 'create', 'acme', '--type', 'GCR', '--username', 'u'], 'first\r')).code).toBe(0);
    sb.requests.length = 0;
    const r = await typed(['credential', 'update', 'acme', '--password-stdin'], `${SECRET}\r`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(sb.requests.find((q) => q.method === 'PATCH')?.body).toEqual({ password: SECRET });
  });

  it('Ctrl-C at the prompt exits 130 and sends nothing; --no-input refuses to prompt (exit 2)', async () => {
    const r = await typed(['credential', 'create', 'acme', '--type', 'GCR', '--username', 'u'], 'half\u0003');
    expect(r.code).toBe(130);
    expect(sb.requests).toEqual([]);
    const noInput = await yotta(['--no-input', 'credential', 'create', 'acme', '--type', 'GCR', '--username', 'u'], { stdin: ttyStdin(), stdinTTY: true, stderrTTY: true });
    expect(noInput.code).toBe(2);
    expect(sb.requests).toEqual([]);
  });

  it('delete asks first, naming the credential: "n" deletes nothing (exit 1, as deploy delete), "y" deletes it', async () => {
    expect((await typed(['credential', 'create', 'acme', '--type', 'GCR', '--username', 'u'], 'pw\r')).code).toBe(0);
    const id = (JSON.parse((await yotta(['credential', 'list', '--json'])).stdout) as Array<{ id: string }>)[0]!.id;
    sb.requests.length = 0;
    const no = await typed(['credential', 'delete', 'acme'], 'n\n');
    expect(no.code).toBe(1);
    expect(no.stderr).toContain(`Delete credential acme (${id})? [y/N]`);
    expect(no.stderr).toContain('Nothing deleted.');
    expect(writes()).toEqual([]);
    const yes = await typed(['credential', 'delete', 'acme'], 'y\n');
    expect(yes.code, yes.stderr).toBe(0);
    expect(writes()).toEqual([`DELETE ${CRED}/${id}`]);
  });
});

describe('yotta credential writes whose outcome is unknown', () => {
  it.each([
    [['credential', 'create', 'acme', '--type', 'GCR', '--username', 'u', '--password-stdin'], 'POST', 'yotta credential list'],
    [['credential', 'update', '{id}', '--username', 'v'], 'PATCH', 'yotta credential get {id}'],
    [['credential', 'delete', '{id}', '--yes'], 'DELETE', 'yotta credential get {id}'],
  ])('%j with the connection reset after the server acted: exit 7, sent once, says how to check', async (args, method, check) => {
    const made = await yotta(['credential', 'create', 'seed', '--type', 'GCR', '--username', 'u', '--password-stdin', '-o', 'id'], { stdin: 'pw' });
    const id = made.stdout.trim();
    sb.requests.length = 0;
    sb.addFault({ kind: 'reset-after', match: { method } });
    const r = await yotta(args.map((a) => a.replace('{id}', id)), { stdin: 'secret-pw' });
    expect(r.code, r.stderr).toBe(7);
    expect(sb.requests.filter((q) => q.method === method)).toHaveLength(1);
    expect(r.stderr).toContain('the outcome is unknown');
    expect(r.stderr).toContain(`It was not sent again. Check with: ${check.replace('{id}', id)}`);
    expect(r.stderr).not.toContain('yotta deploy list');
  });
});
