/**
 * Faults in breadth, in-process through main() (instant backoff sleeps, a fixed clock) against the
 * emulator over loopback HTTP: every read command × every transient fault, every read × every
 * persistent fault, every write × every fault that leaves its outcome open, and Ctrl-C (the
 * context's abort signal) during every kind of wait.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { FaultRule, Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';
import { BASE, NO_DELAYS, VALID_SPEC, calls, createBody, errorMessage, expectNoCrash, seed, writes } from './fixtures.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, listDeployments, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { Counts } from './report.js';
import { tempDir } from '../helpers/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const counts = new Counts('faults-matrix', 2, 'Faults, in-process matrix');
afterAll(() => counts.save());

const T0 = Date.parse('2025-06-01T12:00:00Z');
/** The emulator's and the CLI's clock: fixed, so that outputs compare equal; tests move it on by hand. */
let clock = T0;
let sb: Sandbox | undefined;

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function sandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  clock = T0;
  sb = await startSandbox({ delays: NO_DELAYS, now: () => clock, ...o });
  return sb;
}

function cli(s: Sandbox, args: string[], o: RunOptions = {}) {
  const cwd = tempDir('yotta-rel-matrix-');
  writeFileSync(join(cwd, 'spec.yaml'), VALID_SPEC);
  return runCli(args, { env: { YOTTA_BASE_URL: s.url, YOTTA_API_KEY: s.apiKey }, now: () => clock, cwd, ...o });
}

/** Read commands, given the seeded deployment's id and name. */
const READS: { label: string; args: (id: string, name: string) => string[] }[] = [
  { label: 'deploy list', args: () => ['deploy', 'list'] },
  { label: 'deploy list --json', args: () => ['deploy', 'list', '--json'] },
  { label: 'deploy list --status running -o wide', args: () => ['deploy', 'list', '--status', 'running', '-o', 'wide'] },
  { label: 'deploy get <id>', args: (id) => ['deploy', 'get', id] },
  { label: 'deploy get <name> -o yaml', args: (_id, name) => ['deploy', 'get', name, '-o', 'yaml'] },
  { label: 'deploy workers <id>', args: (id) => ['deploy', 'workers', id] },
  { label: 'deploy workers <name> --json', args: (_id, name) => ['deploy', 'workers', name, '--json'] },
  { label: 'deploy wait <id> --for running', args: (id) => ['deploy', 'wait', id, '--for', 'running'] },
];

const TRANSIENT: { label: string; rule: FaultRule; timeout?: boolean }[] = [
  { label: 'reset before answering', rule: { kind: 'reset-before' } },
  { label: 'reset after answering', rule: { kind: 'reset-after' } },
  { label: '502 HTML', rule: { kind: 'html', status: 502 } },
  { label: '503 envelope', rule: { kind: 'status', status: 503 } },
  { label: '504 HTML', rule: { kind: 'html', status: 504 } },
  { label: '502 envelope', rule: { kind: 'status', status: 502 } },
  { label: '429 Retry-After', rule: { kind: 'retry-after', retryAfterSeconds: 2 } },
  { label: 'slow answer past --timeout', rule: { kind: 'latency', ms: 2000 }, timeout: true },
];

describe('every read × every transient fault: retried, same output as without the fault', () => {
  // On `deploy wait`, --timeout is the wait's deadline, not the request timeout (see wait.ts), so no timeout case there.
  const table = READS.flatMap((read) => TRANSIENT.filter((f) => !(f.timeout && read.label.includes('wait'))).map((fault) => ({ ...read, fault })));
  it.each(table)('$label, $fault.label', async ({ args, fault }) => {
    const s = await sandbox();
    const [d] = await seed(s, ['rel-m']);
    const argv = [...(fault.timeout ? ['--timeout', '200ms'] : []), ...args(d!.id, d!.name)];
    const clean = await cli(s, argv);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanCalls = calls(s);
    s.requests.length = 0;
    // The fault hits the first request, whichever it is (a name look-up, or the read itself).
    s.addFault({ ...fault.rule, match: { method: 'GET' } });
    const r = await cli(s, argv);
    counts.add('Reads', 'every read command (8) × every transient fault (8; no request timeout on deploy wait): retried, output unchanged');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(clean.stdout);
    expect(r.stderr).toBe(clean.stderr);
    expect(calls(s)).toEqual([cleanCalls[0], ...cleanCalls]);
  });
});

const PERSISTENT: { label: string; rule: FaultRule; exit: number; says: RegExp }[] = [
  { label: 'reset', rule: { kind: 'reset-before' }, exit: 7, says: /connection (reset|closed)[^\n]*\(after 3 attempts\)/ },
  { label: '502 HTML', rule: { kind: 'html', status: 502 }, exit: 1, says: /HTTP 502 Bad Gateway, not a JSON response: "502 Bad Gateway[^"]*" \(after 3 attempts\)/ },
  { label: '503 envelope', rule: { kind: 'status', status: 503, message: 'system busy' }, exit: 1, says: /system busy \(code 10002\) \(after 3 attempts\)/ },
  { label: '429', rule: { kind: 'retry-after' }, exit: 1, says: /too many requests \(code 429\) \(after 3 attempts\)/ },
  { label: 'timeout', rule: { kind: 'latency', ms: 2000 }, exit: 7, says: /timed out after 100ms \(after 3 attempts\); raise it with --timeout/ },
];

describe('every read × every persistent fault: three attempts, then a clear error', () => {
  const table = READS.flatMap((read) => PERSISTENT.filter((f) => !(f.label === 'timeout' && read.label.includes('wait'))).map((fault) => ({ ...read, fault })));
  it.each(table)('$label, $fault.label → exit $fault.exit', async ({ args, fault }) => {
    const s = await sandbox();
    const [d] = await seed(s, ['rel-m']);
    s.addFault({ ...fault.rule, times: 1000 });
    // On deploy wait --timeout is the wait's deadline, which bounds the retries too: give them room.
    const timeout = args(d!.id, d!.name)[1] === 'wait' ? '1m' : '100ms';
    const r = await cli(s, ['--timeout', timeout, ...args(d!.id, d!.name)]);
    counts.add('Reads', 'every read command (8) × every persistent fault (5; no request timeout on deploy wait): 3 attempts, exit 7 or 1, says what was tried');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(fault.exit);
    expect(r.stdout).toBe('');
    expect(errorMessage(r.stderr)).toMatch(fault.says);
    // The first GET was tried three times and nothing after it was sent.
    expect(new Set(calls(s)).size).toBe(1);
    expect(calls(s)).toHaveLength(3);
  });
});

interface WriteCase {
  verb: string;
  stopped?: boolean;
  args: (id: string) => string[];
  /** The write that must be sent exactly once. */
  write: (id: string) => string;
  /** Writes that follow it when it succeeds. */
  then?: (id: string) => string[];
}

const WRITES: WriteCase[] = [
  { verb: 'create', args: () => ['deploy', 'create', '-f', 'spec.yaml'], write: () => `POST ${BASE}/create` },
  { verb: 'update', stopped: true, args: (id) => ['deploy', 'update', id, '--workers', '3'], write: (id) => `POST ${BASE}/${id}/update` },
  { verb: 'start', stopped: true, args: (id) => ['deploy', 'start', id], write: (id) => `POST ${BASE}/${id}/start` },
  { verb: 'stop', args: (id) => ['deploy', 'stop', id], write: (id) => `POST ${BASE}/${id}/stop` },
  { verb: 'scale', args: (id) => ['deploy', 'scale', id, '3'], write: (id) => `POST ${BASE}/${id}/workers` },
  { verb: 'delete', stopped: true, args: (id) => ['deploy', 'delete', id, '--yes'], write: (id) => `DELETE ${BASE}/${id}` },
  {
    verb: 'delete --force (its stop)',
    args: (id) => ['deploy', 'delete', id, '--yes', '--force'],
    write: (id) => `POST ${BASE}/${id}/stop`,
    then: (id) => [`DELETE ${BASE}/${id}`],
  },
  { verb: 'stop --json', args: (id) => ['deploy', 'stop', id, '--json'], write: (id) => `POST ${BASE}/${id}/stop` },
];

const UNKNOWN_OUTCOME: { label: string; rule: FaultRule; timeout?: boolean }[] = [
  { label: 'reset after the server applied it', rule: { kind: 'reset-after' } },
  { label: 'reset before (indistinguishable)', rule: { kind: 'reset-before' } },
  { label: '502 HTML from a gateway', rule: { kind: 'html', status: 502 } },
  { label: '504 HTML from a gateway', rule: { kind: 'html', status: 504 } },
  { label: 'timeout', rule: { kind: 'latency', ms: 2000 }, timeout: true },
];

describe('every write × every fault that leaves the outcome open: exit 7, the command to check, sent once', () => {
  const table = WRITES.flatMap((w) => UNKNOWN_OUTCOME.map((fault) => ({ ...w, fault })));
  it.each(table)('$verb, $fault.label', async ({ verb, stopped, args, write, fault }) => {
    const s = await sandbox();
    const [d] = verb === 'create' ? [undefined] : await seed(s, ['rel-w'], { stopped });
    const id = d?.id ?? '';
    const method = write(id).split(' ')[0]!;
    s.addFault({ ...fault.rule, match: { method, path: write(id).split(' ')[1]! } });
    const r = await cli(s, [...(fault.timeout ? ['--timeout', '100ms'] : []), ...args(id)]);
    counts.add('Writes', 'every write (8 forms) × every fault leaving the outcome open (5): exit 7, check command, sent once');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(7);
    expect(writes(s)).toEqual([write(id)]);
    if (verb === 'create') {
      // One look-up by name follows, and says what it found.
      // The look-up that the name is free, the create, then the look-up of what the create did.
      expect(calls(s)).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`, `GET ${BASE}/list`]);
      // The latency fault applies the create only after the client gave up: the look-up finds nothing yet.
      const applied = fault.rule.kind === 'reset-after';
      expect(r.stderr).toMatch(
        applied ? /a new deployment named "rel-llama" exists now[^\n]*\nIt was not sent again\. Look at it with: yotta deploy get \d{18}/ : /no new deployment named "rel-llama"/,
      );
    } else if (verb === 'stop --json') {
      const out = JSON.parse(r.stdout) as { ok: boolean; error: { exitCode: number; message: string; hint?: string } }[];
      expect(out).toHaveLength(1);
      expect(out[0]!.ok).toBe(false);
      expect(out[0]!.error.exitCode).toBe(7);
      expect(out[0]!.error.message).toMatch(/outcome is unknown/);
    } else {
      expect(r.stderr).toMatch(/outcome is unknown/);
      expect(r.stderr).toContain(`yotta deploy get ${id}`);
      expect(r.stderr).toMatch(/not sent again/);
    }
    if (fault.timeout) expect(r.stderr).toMatch(/--timeout/);
  });
});

describe("writes and the API's own answers: never re-sent, except a 429 (refused before handling)", () => {
  it.each(WRITES.filter((w) => !w.verb.includes('json')))('$verb: 503 with an envelope → exit 1, sent once', async ({ verb, stopped, args, write }) => {
    const s = await sandbox();
    const [d] = verb === 'create' ? [undefined] : await seed(s, ['rel-w'], { stopped });
    const id = d?.id ?? '';
    const [method, path] = write(id).split(' ') as [string, string];
    s.addFault({ kind: 'status', status: 503, message: 'system busy', match: { method, path } });
    const r = await cli(s, args(id));
    counts.add('Writes', "every write × the API's own 503 envelope: exit 1, sent once");
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/system busy \(code 10002\)/);
    expect(writes(s)).toEqual([write(id)]);
  });

  it.each(WRITES.filter((w) => !w.verb.includes('json')))('$verb: 429 → sent again after Retry-After, succeeds', async ({ verb, stopped, args, write, then }) => {
    const s = await sandbox();
    const [d] = verb === 'create' ? [undefined] : await seed(s, ['rel-w'], { stopped });
    const id = d?.id ?? '';
    const [method, path] = write(id).split(' ') as [string, string];
    s.addFault({ kind: 'retry-after', retryAfterSeconds: 1, match: { method, path } });
    const r = await cli(s, args(id));
    counts.add('Writes', 'every write × 429 Retry-After: re-sent once (rate limiter refused it), succeeds');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(0);
    expect(writes(s)).toEqual([write(id), write(id), ...(then?.(id) ?? [])]);
  });
});

describe('Ctrl-C while waiting: stops waiting, leaves the deployment, says how to resume, exit 130', () => {
  const HOUR = 3_600_000;
  const SLOW = { workerStartMs: HOUR, stopMs: HOUR, terminateMs: HOUR };
  const cases: {
    label: string;
    stopped?: boolean;
    args: (id: string) => string[];
    resume: (id: string) => string;
    writes: (id: string) => string[];
    create?: boolean;
  }[] = [
    {
      label: 'create --wait',
      create: true,
      args: () => ['deploy', 'create', '-f', 'spec.yaml', '--wait'],
      resume: (id) => `yotta deploy wait ${id} --for running`,
      writes: () => [`POST ${BASE}/create`],
    },
    {
      label: 'start --wait',
      stopped: true,
      args: (id) => ['deploy', 'start', id, '--wait'],
      resume: (id) => `yotta deploy wait ${id} --for running`,
      writes: (id) => [`POST ${BASE}/${id}/start`],
    },
    {
      label: 'stop --wait',
      args: (id) => ['deploy', 'stop', id, '--wait'],
      resume: (id) => `yotta deploy wait ${id} --for stopped`,
      writes: (id) => [`POST ${BASE}/${id}/stop`],
    },
    {
      label: 'scale --wait',
      args: (id) => ['deploy', 'scale', id, '4', '--wait'],
      resume: (id) => `yotta deploy wait ${id} --for workers=4`,
      writes: (id) => [`POST ${BASE}/${id}/workers`],
    },
    {
      label: 'delete --force (waiting for the stop)',
      args: (id) => ['deploy', 'delete', id, '--yes', '--force'],
      resume: (id) => `yotta deploy wait ${id} --for stopped`,
      writes: (id) => [`POST ${BASE}/${id}/stop`],
    },
    {
      label: 'deploy wait --for stopped',
      args: (id) => ['deploy', 'wait', id, '--for', 'stopped'],
      resume: (id) => `yotta deploy wait ${id} --for stopped`,
      writes: () => [],
    },
    {
      label: 'deploy wait --for deleted',
      args: (id) => ['deploy', 'wait', id, '--for', 'deleted'],
      resume: (id) => `yotta deploy wait ${id} --for deleted`,
      writes: () => [],
    },
  ];

  /** A deployment RUNNING (or STOPPED) despite the slow transitions: the clock is moved past them. */
  async function settled(s: Sandbox, stopped: boolean | undefined): Promise<ElasticDeploymentDetail> {
    const client = new ApiClient({ baseUrl: s.url, apiKey: s.apiKey, userAgent: 'reliability-seed' });
    try {
      const d = await createDeployment(client, createBody('rel-c'));
      clock += 2 * HOUR;
      if (stopped) {
        await stopDeployment(client, d.id);
        clock += 2 * HOUR;
      }
      return d;
    } finally {
      await client.close();
      s.requests.length = 0;
    }
  }

  it.each(cases)('$label', async (c) => {
    const s = await sandbox({ delays: SLOW });
    const [d] = c.create ? [undefined] : [await settled(s, c.stopped)];
    const controller = new AbortController();
    // The first pause between polls is where the user presses Ctrl-C.
    const sleep = async (_ms: number, signal?: AbortSignal): Promise<void> => {
      controller.abort(new DOMException('interrupted', 'AbortError'));
      throw signal?.reason ?? controller.signal.reason;
    };
    const r = await cli(s, c.args(d?.id ?? ''), { signal: controller.signal, sleep });
    counts.add('Ctrl-C', 'abort during every kind of wait (7): exit 130, how to resume, nothing else sent');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(130);
    const id = d?.id ?? /deploy wait (\d{18})/.exec(r.stderr)?.[1] ?? '';
    expect(r.stderr).toMatch(/stopped waiting for .* it was left as it is/);
    expect(r.stderr).toContain(c.resume(id));
    expect(writes(s)).toEqual(c.writes(id));
  });
});

/*
 * Decision: Ctrl-C ends a --watch with exit 0 and nothing on stderr (issue 5: "Ctrl-C ends it with 0").
 * A watch only shows; it has no goal for Ctrl-C to interrupt, so pressing it is how a watch is meant to
 * end. `--wait` and `deploy wait` do have a goal, so there Ctrl-C exits 130 and says how to resume (above).
 * That holds wherever the Ctrl-C lands: in the pause between polls, during a poll, or during the
 * look-up of a name before the first poll.
 */
describe('Ctrl-C during --watch: the way a watch ends, so exit 0, nothing on stderr, nothing sent but reads', () => {
  const VIEWS: { label: string; args: (id: string, name: string) => string[] }[] = [
    { label: 'deploy list --watch', args: () => ['deploy', 'list', '--watch'] },
    { label: 'deploy list --watch --json', args: () => ['deploy', 'list', '--watch', '--json'] },
    { label: 'deploy get <id> --watch', args: (id) => ['deploy', 'get', id, '--watch'] },
    { label: 'deploy get <name> --watch', args: (_id, name) => ['deploy', 'get', name, '--watch'] },
    { label: 'deploy workers <id> --watch', args: (id) => ['deploy', 'workers', id, '--watch'] },
    { label: 'deploy workers <name> --watch --json', args: (_id, name) => ['deploy', 'workers', name, '--watch', '--json'] },
  ];
  const MOMENTS = ['in the pause between polls', 'during a poll', 'before the first answer'] as const;
  const table = VIEWS.flatMap((v) => MOMENTS.flatMap((when) => [false, true].map((tty) => ({ ...v, when, tty }))));

  it.each(table)('$label, Ctrl-C $when (terminal: $tty)', async ({ args, when, tty }) => {
    const s = await sandbox();
    const [d] = await seed(s, ['rel-watch']);
    const controller = new AbortController();
    const ctrlC = (): void => controller.abort(new DOMException('interrupted', 'AbortError'));
    let sleep: RunOptions['sleep'];
    if (when === 'in the pause between polls') {
      sleep = async (_ms, signal) => {
        ctrlC();
        throw signal?.reason ?? controller.signal.reason;
      };
    } else {
      // Every answer hangs from then on; Ctrl-C comes while the CLI waits for one.
      const hang = (): void => {
        s.addFault({ kind: 'latency', ms: 5000, times: 1000 });
        setTimeout(ctrlC, 100);
      };
      if (when === 'before the first answer') hang();
      let pauses = 0;
      sleep = async (_ms, signal) => {
        if (signal?.aborted) throw signal.reason;
        if (when === 'during a poll' && ++pauses === 1) hang();
      };
    }
    const r = await cli(s, args(d!.id, d!.name), { signal: controller.signal, sleep, stdoutTTY: tty, stderrTTY: tty });
    counts.add('Ctrl-C', 'during every --watch (list, get, workers; id or name; table or JSON; terminal or pipe; 3 moments): exit 0, quiet');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    // What was shown stays (the table, change lines or events); Ctrl-C adds nothing to it.
    if (when !== 'before the first answer') expect(r.stdout).toMatch(new RegExp(`rel-watch|${d!.id}`));
    expect(writes(s)).toEqual([]);
  });
});

describe('create: the look-up after an unknown outcome', () => {
  it('after a timeout the server may still create it: the CLI says it may still appear and to check before creating again, never "not created"', async () => {
    // The server takes 1.5 s; the CLI gives up after 100 ms and looks the name up at once: nothing yet.
    clock = T0;
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'latency', ms: 1500, match: { path: '/create' } }] });
    const s = sb;
    const r = await cli(s, ['--timeout', '100ms', 'deploy', 'create', '-f', 'spec.yaml']);
    expect(r.code).toBe(7);
    await new Promise((done) => setTimeout(done, 1700));
    const client = new ApiClient({ baseUrl: s.url, apiKey: s.apiKey, userAgent: 'reliability-check' });
    const after = await listDeployments(client).finally(() => client.close());
    // It was created after all...
    expect(after.map((d) => d.name)).toEqual(['rel-llama']);
    // ...so the CLI must not have said it was not, nor advised running the same command again (a second deployment);
    // it says the name is not listed yet, that it may still appear, and how to check first.
    expect(r.stderr).not.toMatch(/not created|run the same command again/);
    expect(r.stderr).toMatch(/^Error: creating "rel-llama" failed midway \(POST \S+ timed out after 100ms[^\n]*\); no new deployment named "rel-llama" is listed yet, but it may still appear: the server may still be creating it\n/);
    expect(r.stderr).toContain(
      'It was not sent again. In a minute, check with `yotta deploy list` (or `yotta deploy get rel-llama`) before creating it again; creating it now could make a second deployment.\n',
    );
  });
});
