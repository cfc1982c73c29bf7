/**
 * Hardening (issue 12), end to end: the BUILT CLI in its own process, for what is about processes,
 * signals, streams and terminals — a command must always end (on its own, on Ctrl-C, on SIGTERM),
 * read bounded input, say when a write's outcome is unknown, and fail cleanly when stdout does.
 * Servers are the emulator (with latency faults) or raw loopback servers that never answer.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { buildCli, spawnCli, waitUntil } from '../helpers/built-cli.js';
import type { SpawnResult } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/cli.js';
import { startRawServer } from '../api/raw-server.js';
import type { RawServer } from '../api/raw-server.js';
import { BASE, NO_DELAYS, VALID_SPEC, envelope, expectNoCrash, fakeDeployment, seed, writes } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('hardening-e2e', 9, 'Hardening, built CLI');
let buildDir: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  buildDir = await buildCli();
}, 180_000);

afterAll(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  counts.save();
});

async function sandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ delays: NO_DELAYS, ...o });
  closers.push(() => sb.close());
  return sb;
}

async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  closers.push(() => s.close());
  return s;
}

/** A fresh config folder holding spec.yaml. */
function folder(): string {
  const dir = tempDir('yotta-harden-e2e-');
  writeFileSync(join(dir, 'spec.yaml'), VALID_SPEC);
  return dir;
}

/** Starts the built CLI against `url`; killed after `killAfterMs` so that a hang fails the test instead of outliving it. */
function yotta(url: string, key: string, args: string[], o: { env?: Record<string, string>; stdin?: string | null; killAfterMs?: number } = {}) {
  const dir = folder();
  return spawnCli(buildDir, args, {
    configDir: dir,
    cwd: dir,
    stdin: o.stdin,
    killAfterMs: o.killAfterMs ?? 20_000,
    env: { YOTTA_BASE_URL: url, YOTTA_API_KEY: key, ...o.env },
  });
}

const NODE = process.execPath;
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Single-quotes a word for sh. */
function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the built CLI on a pseudo-terminal that reports 0 columns (util-linux `script` with stdin
 * not a terminal gives its pty no size, as `ssh -tt` from a script and some CI runners do).
 */
function onZeroWidthPty(args: string[], env: Record<string, string>) {
  const dir = folder();
  const command = `exec ${[NODE, join(buildDir, 'bin', 'yotta.js'), ...args].map(sh).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, YOTTA_CONFIG_DIR: dir, TERM: 'xterm-256color', ...env },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const result = new Promise<{ code: number | null; out: string }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  /** The yotta process itself (the child of `script`). */
  const cliPid = (): number | undefined => {
    try {
      const pids = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      return pids.length > 0 ? Number(pids[0]) : undefined;
    } catch {
      return undefined;
    }
  };
  return { result, cliPid, soFar: () => out };
}

/** Cursor movement, line or screen clearing, cursor hiding: drawing in place. Colours are fine. */
// eslint-disable-next-line no-control-regex
const DRAWING = /\u001b\[(\d*[ABCDEFGHJK]|\d*;\d*H|\?25[lh])/;

// ---------------------------------------------------------------- Hangs

describe.runIf(hasScript)('a terminal that reports 0 columns is not drawn on (item 1)', () => {
  it('deploy list with a slow server: no spinner, ends on its own', async () => {
    const sb = await sandbox({ faults: [{ kind: 'latency', ms: 1200, times: 5 }] });
    await seed(sb, ['h-pty']);
    const run = onZeroWidthPty(['deploy', 'list'], { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey });
    const r = await run.result;
    counts.add('Hangs', 'a pseudo-terminal with 0 columns: no spinner or redraw; deploy list ends, --watch stops on SIGTERM (143)');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('h-pty');
    expect(r.out).not.toMatch(DRAWING);
  });

  it('deploy list --watch: lines instead of redraws, and SIGTERM ends it with 143', async () => {
    const sb = await sandbox();
    await seed(sb, ['h-pty-watch']);
    const run = onZeroWidthPty(['deploy', 'list', '--watch'], { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey });
    await waitUntil(() => run.soFar().includes('h-pty-watch') && run.cliPid() !== undefined, 15_000, 'the first view');
    process.kill(run.cliPid()!, 'SIGTERM');
    const r = await run.result;
    counts.add('Hangs', 'a pseudo-terminal with 0 columns: no spinner or redraw; deploy list ends, --watch stops on SIGTERM (143)');
    expect(r.code, r.out).toBe(143);
    expect(r.out).not.toMatch(DRAWING);
  });
});

describe.concurrent('--sandbox ends on its own after a setup error (item 2)', () => {
  const cases: { label: string; args: string[]; env?: Record<string, string> }[] = [
    { label: '--timeout 0', args: ['--sandbox', 'deploy', 'list', '--timeout', '0'] },
    { label: "HTTPS_PROXY='not a url'", args: ['--sandbox', 'deploy', 'list'], env: { HTTPS_PROXY: 'not a url' } },
    { label: "HTTP_PROXY='ftp://proxy'", args: ['--sandbox', 'deploy', 'get', '378888638324150969'], env: { HTTP_PROXY: 'ftp://proxy:21' } },
    { label: '--timeout 0 on a write', args: ['--sandbox', 'deploy', 'stop', '378888638324150969', '--timeout', '0'] },
  ];
  it.each(cases)('yotta $args with $label: exit 2 without being killed', async ({ args, env }) => {
    const dir = folder();
    const r = await spawnCli(buildDir, args, { configDir: dir, cwd: dir, env, killAfterMs: 20_000 }).result;
    counts.add('Hangs', '--sandbox with a usage error found after the emulator started (--timeout 0, bad proxy variables): exits 2 on its own');
    expectNoCrash(r);
    expect(r.signal, 'the process was killed: it hung').toBeNull();
    expect(r.code, r.stderr).toBe(2);
  });
});

describe.concurrent('a wait deadline bounds hung requests (item 3)', () => {
  /** Answers the first `answered` requests with `first`, then never answers again. */
  function stallsAfter(answered: number, first: (method: string) => string): Promise<RawServer> {
    let n = 0;
    return raw((req, res) => {
      n += 1;
      if (n <= answered) res.end(first(req.method ?? 'GET'));
      // Otherwise: silence. The request stays open until the client gives up.
    });
  }

  it('deploy wait <id> --timeout 3s against a server that never answers: exit 8, well before 3 × the request timeout', async () => {
    const s = await stallsAfter(0, () => '');
    const r = await yotta(s.url, 'yk-harden-key-0001', ['deploy', 'wait', '378888638324150969', '--timeout', '3s']).result;
    counts.add('Hangs', 'deploy wait --timeout 3s, start --wait-timeout 3s against a server that stops answering: exit 8 at the deadline');
    expectNoCrash(r);
    expect(r.signal, 'killed: the wait outlived its deadline').toBeNull();
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(/gave up after \d+s waiting for .* no answer before the deadline/);
    expect(s.seen).toHaveLength(1);
  });

  it('deploy start <id> --wait-timeout 3s, the polls unanswered: exit 8', async () => {
    const d = { ...fakeDeployment(5), status: 'STOPPED', runningWorkers: 0 };
    const s = await stallsAfter(2, (method) => (method === 'GET' ? envelope(d) : envelope(null)));
    const r = await yotta(s.url, 'yk-harden-key-0001', ['deploy', 'start', d.id, '--wait-timeout', '3s']).result;
    counts.add('Hangs', 'deploy wait --timeout 3s, start --wait-timeout 3s against a server that stops answering: exit 8 at the deadline');
    expectNoCrash(r);
    expect(r.signal, 'killed: the wait outlived its deadline').toBeNull();
    expect(r.code, r.stderr).toBe(8);
    expect(s.seen.filter((q) => q.method === 'POST')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- Memory

describe.concurrent('the spec size limit holds for pipes and devices (item 5)', () => {
  it('-f /dev/zero: exit 2, too large', async () => {
    const r = await yotta('http://127.0.0.1:9', 'yk-harden-key-0001', ['deploy', 'create', '-f', '/dev/zero', '--dry-run']).result;
    counts.add('Memory', '-f /dev/zero, -f /dev/stdin fed without end: stops at 1 MB, exit 2');
    expect(r.signal, 'killed: it kept reading').toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Error: spec file \/dev\/zero is too large \(more than 1048576 bytes\)$/m);
  });

  it('-f /dev/stdin fed without end by `yes` through a pipe: exit 2, too large', async () => {
    const dir = folder();
    const command = `yes | exec ${[NODE, join(buildDir, 'bin', 'yotta.js'), 'deploy', 'create', '-f', '/dev/stdin', '--dry-run'].map(sh).join(' ')}`;
    const child = spawn('sh', ['-c', command], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, YOTTA_CONFIG_DIR: dir } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.resume();
    const r = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    counts.add('Memory', '-f /dev/zero, -f /dev/stdin fed without end: stops at 1 MB, exit 2');
    expect(r.signal, 'killed: it kept reading').toBeNull();
    expect(r.code, stderr).toBe(2);
    expect(stderr).toMatch(/spec file \/dev\/stdin is too large/);
  });
});

// ---------------------------------------------------------------- Writes

describe.concurrent('a signal while a write is in flight: the outcome is unknown, and how to check (item 7)', () => {
  async function interruptWrite(args: (id: string) => string[], signal: NodeJS.Signals, path: (id: string) => string): Promise<{ r: SpawnResult; id: string; sb: Sandbox }> {
    const sb = await sandbox();
    const [d] = await seed(sb, ['rel-write']);
    // Added after seeding, which creates through the same API.
    sb.addFault({ kind: 'latency', ms: 5000, match: { method: 'POST' } });
    sb.requests.length = 0;
    const cli = yotta(sb.url, sb.apiKey, args(d!.id));
    await waitUntil(() => sb.requests.some((q) => q.method === 'POST'), 15_000, 'the write to arrive');
    cli.child.kill(signal);
    const r = await cli.result;
    expect(writes(sb)).toEqual([path(d!.id)]);
    return { r, id: d!.id, sb };
  }

  it('Ctrl-C during deploy stop: exit 130, outcome unknown, yotta deploy get <id>', async () => {
    const { r, id } = await interruptWrite((id) => ['deploy', 'stop', id], 'SIGINT', (id) => `POST ${BASE}/${id}/stop`);
    counts.add('Writes', 'SIGINT/SIGTERM while a write is in flight (stop, create; text and JSON): outcome unknown with the check command, exit 130/143');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted while the stop request was in flight; the outcome is unknown/);
    expect(r.stderr).toContain(`yotta deploy get ${id}`);
  });

  it('SIGTERM during deploy stop --json: exit 143, JSON error with outcome "unknown" and the check command', async () => {
    const { r, id } = await interruptWrite((id) => ['deploy', 'stop', id, '--json'], 'SIGTERM', (id) => `POST ${BASE}/${id}/stop`);
    counts.add('Writes', 'SIGINT/SIGTERM while a write is in flight (stop, create; text and JSON): outcome unknown with the check command, exit 130/143');
    expect(r.code, r.stderr).toBe(143);
    const e = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: Record<string, unknown> }).error;
    expect(e).toMatchObject({ outcome: 'unknown', check: `yotta deploy get ${id}` });
  });

  it('Ctrl-C during deploy create --json: the check is a look-up by name', async () => {
    const { r } = await interruptWrite(() => ['deploy', 'create', '-f', 'spec.yaml', '--json'], 'SIGINT', () => `POST ${BASE}/create`);
    counts.add('Writes', 'SIGINT/SIGTERM while a write is in flight (stop, create; text and JSON): outcome unknown with the check command, exit 130/143');
    expect(r.code, r.stderr).toBe(130);
    const e = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { message: string; outcome: string; check: string } }).error;
    expect(e.message).toMatch(/interrupted while creating "rel-llama"; the outcome is unknown/);
    expect(e).toMatchObject({ outcome: 'unknown', check: 'yotta deploy get rel-llama' });
  });
});

// ---------------------------------------------------------------- Streams and signals

describe.concurrent('a failing stdout is one line on stderr, exit 1 (item 15)', () => {
  /** Runs the built CLI with stdout on /dev/full (every write fails with ENOSPC). */
  function toDevFull(sb: Sandbox, args: string[]): Promise<SpawnResult> {
    const dir = folder();
    const fd = openSync('/dev/full', 'w');
    const started = Date.now();
    const child = spawn(NODE, [join(buildDir, 'bin', 'yotta.js'), ...args], {
      cwd: dir,
      stdio: ['ignore', fd, 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: dir, YOTTA_CONFIG_DIR: dir, YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey },
    });
    closeSync(fd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: '', stderr, ms: Date.now() - started });
      });
    });
  }

  it('deploy list --json > /dev/full: one JSON error line, exit 1, no stack trace', async () => {
    const sb = await sandbox();
    await seed(sb, ['h-full']);
    const r = await toDevFull(sb, ['deploy', 'list', '--json']);
    counts.add('Streams', 'stdout on /dev/full (ENOSPC), table and --json: one line on stderr (JSON under --json), exit 1, no stack');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ error: { exitCode: 1, message: expect.stringMatching(/cannot write the output to stdout: ENOSPC/) as unknown } });
  });

  it('deploy list > /dev/full: one error line, exit 1', async () => {
    const sb = await sandbox();
    await seed(sb, ['h-full']);
    const r = await toDevFull(sb, ['deploy', 'list']);
    counts.add('Streams', 'stdout on /dev/full (ENOSPC), table and --json: one line on stderr (JSON under --json), exit 1, no stack');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('Error: cannot write the output to stdout: ENOSPC (no space left on device)\n');
  });
});

describe.concurrent('SIGTERM exits 143 everywhere; Ctrl-C ends a --watch with 0 (item 16)', () => {
  it('SIGTERM during a request: 143', async () => {
    const sb = await sandbox({ faults: [{ kind: 'latency', ms: 5000 }] });
    const cli = yotta(sb.url, sb.apiKey, ['deploy', 'list']);
    await waitUntil(() => sb.requests.length > 0, 15_000, 'the request');
    cli.child.kill('SIGTERM');
    const r = await cli.result;
    counts.add('Signals', 'SIGTERM during a request and during --watch: 143; SIGINT during --watch: 0');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(143);
  });

  it.each([
    { signal: 'SIGTERM' as const, exit: 143 },
    { signal: 'SIGINT' as const, exit: 0 },
  ])('$signal during deploy list --watch: $exit', async ({ signal, exit }) => {
    const sb = await sandbox();
    await seed(sb, ['h-watch']);
    const cli = yotta(sb.url, sb.apiKey, ['deploy', 'list', '--watch']);
    await waitUntil(() => cli.stdoutSoFar().includes('h-watch'), 15_000, 'the first view');
    cli.child.kill(signal);
    const r = await cli.result;
    counts.add('Signals', 'SIGTERM during a request and during --watch: 143; SIGINT during --watch: 0');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(exit);
  });
});
