/**
 * `deploy logs` in-process through main(), on a fake clock shared with the emulator: the follow's
 * pacing and shared request budget, and the help. The end-to-end behaviour (built CLI, real time)
 * is in test/e2e/deploy-logs.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, scaleDeployment } from '../../src/api/deployments.js';
import { jsonLine, parseWhen, terminalText } from '../../src/commands/deploy/logs.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, FakeClock } from '../helpers/fixtures.js';

let sb: Sandbox | undefined;
let client: ApiClient | undefined;
afterEach(async () => {
  await client?.close();
  await sb?.close();
  sb = undefined;
  client = undefined;
});

async function setup() {
  const clock = new FakeClock();
  sb = await startSandbox({ now: clock.now, delays: { workerStartMs: 3000, stopMs: 2000, terminateMs: 2000 } });
  client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
  const env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  return { clock, sb, client, env };
}

/** Follows until the fake clock has moved `ms`, then presses Ctrl-C; `slowMs` is added to every short (budget) pause. */
async function followFor(s: Awaited<ReturnType<typeof setup>>, id: string, ms: number, slowMs = 0) {
  const controller = new AbortController();
  const until = s.clock.t + ms;
  s.clock.onSleep = (n) => {
    if (s.clock.sleeps[n]! < 1000) s.clock.t += slowMs;
    if (s.clock.t >= until) controller.abort(new DOMException('interrupted', 'AbortError'));
  };
  return runCli(['deploy', 'logs', id, '-f', '--json'], { env: s.env, now: s.clock.now, sleep: s.clock.sleep, signal: controller.signal });
}

describe('deploy logs --follow pacing', () => {
  it('polls at least a second apart, backs off to 5 s while idle, and exits 0 on Ctrl-C', async () => {
    const s = await setup();
    const d = await createDeployment(s.client, deploymentBody('worker', { workers: 1, image: 'ghcr.io/acme/worker:1', initializationCommand: 'python serve.py' }));
    s.clock.t += 10_000;
    s.sb.requests.length = 0;
    const r = await followFor(s, d.id, 120_000);
    expect(r.code).toBe(0);
    // One GET of the deployment per round: the rounds' times (the first GET is the look-up before the backlog).
    const rounds = s.sb.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/deploy/${d.id}`)).map((q) => q.at).slice(1);
    const gaps = rounds.slice(1).map((t, i) => t - rounds[i]!);
    expect(gaps.length).toBeGreaterThan(20);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(1000);
      expect(g).toBeLessThanOrEqual(5100);
    }
    // A heartbeat every 5 s: after one, a round a second later; then the pause grows while nothing comes.
    expect(gaps.filter((g) => g < 1100).length).toBeGreaterThan(0);
    expect(gaps.filter((g) => g > 1900).length).toBeGreaterThan(0);
  });

  it('fifty workers share one budget: never more than 60 requests in any second', async () => {
    const s = await setup();
    const d = await createDeployment(s.client, deploymentBody('wide', { workers: 50 }));
    s.clock.t += 60_000;
    s.sb.requests.length = 0;
    const r = await followFor(s, d.id, 20_000);
    expect(r.code).toBe(0);
    const times = s.sb.requests.map((q) => q.at);
    expect(s.sb.requests.filter((q) => q.path.endsWith('/logs')).length).toBeGreaterThan(50 * 5);
    for (let i = 0; i < times.length; i++) {
      const inSecond = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
      expect(inSecond).toBeLessThanOrEqual(60);
    }
  });
});

describe('deploy logs --follow order', () => {
  it('holds lines back so that workers read one after the other still print in timestamp order', async () => {
    const s = await setup();
    // 10 workers whose heartbeats are 100 ms apart, and a slow server (each request takes 300 ms
    // more): one polling round reads the later workers up to a time the first ones are read past
    // only in the next round. Printing each round as it came would put lines out of order.
    const d = await createDeployment(s.client, deploymentBody('many', { workers: 1, image: 'ghcr.io/acme/worker:1', initializationCommand: 'python serve.py' }));
    for (let n = 2; n <= 10; n++) {
      s.clock.t += 100;
      await scaleDeployment(s.client, d.id, n);
    }
    s.clock.t += 10_000;
    const r = await followFor(s, d.id, 120_000, 300);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { workerId: string; timestamp: string; offset: number });
    expect(new Set(lines.map((l) => l.workerId)).size).toBe(10);
    const times = lines.map((l) => Date.parse(l.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const w of new Set(lines.map((l) => l.workerId))) {
      const offsets = lines.filter((l) => l.workerId === w).map((l) => l.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i + 1));
    }
    expect(lines.filter((l) => Date.parse(l.timestamp) > s.clock.t - 60_000).length).toBeGreaterThan(30);
  });
});

describe('deploy logs --follow and the workers coming and going', () => {
  it('says when a worker goes away after showing its last lines, and waits for a first worker', async () => {
    const s = await setup();
    const d = await createDeployment(s.client, deploymentBody('pair', { workers: 2, image: 'ghcr.io/acme/worker:1', initializationCommand: 'python serve.py' }));
    s.clock.t += 10_000;
    await scaleDeployment(s.client, d.id, 0);
    s.clock.t += 10_000;
    // Scaling again drops the TERMINATED workers from the listing.
    await scaleDeployment(s.client, d.id, 0);
    const controller = new AbortController();
    let step = 0;
    s.clock.onSleep = async () => {
      step += 1;
      if (step === 3) await scaleDeployment(s.client, d.id, 1);
      if (step === 40) await scaleDeployment(s.client, d.id, 0);
      if (step === 50) await scaleDeployment(s.client, d.id, 0);
      if (step === 70) controller.abort(new DOMException('interrupted', 'AbortError'));
    };
    const r = await runCli(['deploy', 'logs', 'pair', '-f', '--since', '1h'], { env: s.env, now: s.clock.now, sleep: s.clock.sleep, signal: controller.signal });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('pair (');
    expect(r.stderr).toContain('has no workers yet; waiting for the first one (Ctrl-C to stop).');
    const gone = /worker (\d+) is gone \(no longer listed\); its last lines are above\./.exec(r.stderr);
    expect(gone).not.toBeNull();
    // The two workers retired before the follow began are not listed, so not read; the one that came
    // and went was read to its last line before it was dropped.
    const out = r.stdout.trimEnd().split('\n');
    expect(out[0]).toMatch(/^Scheduled on 1x H100 in us-east-1 \(worker \d+\)$/);
    expect(out[0]).toContain(gone![1]);
    expect(out.at(-1)).toBe('Container exited with code 0');
  });
});

describe('deploy logs pieces', () => {
  it('--help explains every flag, with examples', async () => {
    const r = await runCli(['deploy', 'logs', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--worker', '--follow', '--since', '--until', '--tail', '--grep', '--timestamps', '--prefix', '--no-prefix']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Examples:\n  $ yotta deploy logs');
    expect(r.stdout).toContain('merged by timestamp');
  });

  it('reads --since/--until as a duration back from now or an ISO time', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(parseWhen('10m', '--since', now)).toBe(now - 600_000);
    expect(parseWhen('2025-06-01T11:00:00Z', '--since', now)).toBe(now - 3_600_000);
    expect(() => parseWhen('last tuesday', '--since', now)).toThrow('--since: "last tuesday" is neither a duration');
  });

  it('escapes control characters for a terminal but keeps tabs; JSON escapes C1 and bidi characters', () => {
    expect(terminalText('a\tb\u001b[2Jc\rd\u0085\u202e')).toBe('a\tb\\u001b[2Jc\\rd\\u0085\\u202e');
    const line = jsonLine({ workerId: '1', timestamp: 't', offset: 7, log: 'x\u0085\u202ey\u2028', ms: 0, arrived: 0 });
    expect(line).toBe('{"workerId":"1","timestamp":"t","offset":7,"log":"x\\u0085\\u202ey\\u2028"}');
    expect(JSON.parse(line).log).toBe('x\u0085\u202ey\u2028');
  });
});
