#!/usr/bin/env node
// `npm run bench`: the performance budgets of issues 7 and 17, measured as ratios against the floor
// a Node program cannot go below, side by side in one run (absolute times on shared machines drift).
//
//   node test/bench/run.mjs [--runs N] [--net-runs N] [--ci] [--write] [--no-build] [--rows a,b] [--skip-slow] [--skip-net] [--watch-seconds S]
//
// It builds dist/ (unless --no-build), starts the emulator (`yotta sandbox`) as child processes —
// one with 20 deployments, one with 10,000 — and runs every row interleaved with its baseline and
// with curl on the same request (the floor of any client), N runs each (default 10), all with this
// harness's own Node binary. stdout of every measured process is /dev/null (not a TTY).
//
// Every run is measured three ways, as the kernel accounted them to the child (lib.mjs measureRun:
// wait4(2) through python3, else GNU time): wall time, CPU time (user + system) and peak RSS. Each
// row reports its wall ratio and its CPU ratio. A busy machine adds waiting to the wall time of
// both sides of a ratio, pulling it towards 1; CPU time is the work done, so it moves far less.
//
// Then the network rows (unless --skip-net): the emulator over HTTPS on loopback with a throwaway
// test CA (openssl; NODE_EXTRA_CA_CERTS) and 100 ms of latency on every request — `deploy list
// --json` against the same over plain HTTP, `deploy stop --all` of 50 running deployments,
// `deploy delete --force` of 20 against one, and the TLS handshakes of one `deploy create --wait`
// (--net-runs runs each of the slow ones, default 3). Then, unless --skip-slow: `--watch` CPU and
// memory on a pty for 60 s, and the requests `--wait` sends for a deployment taking 60 s to start.
//
// --write also writes test/bench/RESULTS.md, but only from a quiet run (see quietness()): else it
// says why and exits 1. --ci: 5 runs, no network or slow rows, and exit 1 when a CPU ratio is more
// than 25 % over its target (a regression guard, not a timed test; CPU, so a loaded CI machine
// does not fail it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CPU_SOURCE,
  CPU_SOURCE_TEXT,
  HAS_OPENSSL,
  NODE,
  QUIET,
  api,
  captureRun,
  createBody,
  interleaved,
  makeTestCa,
  measureRun,
  quietness,
  seedDeployments,
  startNetSandbox,
  startSandboxChild,
  summary,
  writeLargeState,
} from './lib.mjs';
import { HAS_SCRIPT, hasWatch, measureWait, measureWatch } from './slow.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const KEY = 'sandbox-0000-key';
const SMALL = 20;
const LARGE = 10_000;
/** Lines in the worker log of the logs rows. */
const LOG_LINES = 1_000_000;
/** CI fails when a CPU ratio exceeds its target by more than this. */
const CI_SLACK = 1.25;
/** Latency the network rows' emulator adds to every request, in ms (one round trip). */
const LATENCY_MS = 100;
/** Deployments the `stop --all` row stops, and the `delete --force` row deletes. */
const STOP_ALL = 50;
const DELETE_FORCE = 20;

function parseArgs(argv) {
  const o = { runs: 10, netRuns: 3, ci: false, write: false, build: true, rows: undefined, slow: true, net: true, watchSeconds: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--net-runs') o.netRuns = Number(argv[++i]);
    else if (a === '--ci') o.ci = true;
    else if (a === '--write') o.write = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--rows') o.rows = argv[++i].split(',');
    else if (a === '--skip-slow') o.slow = false;
    else if (a === '--skip-net') o.net = false;
    else if (a === '--watch-seconds') o.watchSeconds = Number(argv[++i]);
    else {
      process.stderr.write(
        `bench: unknown argument ${a}\nusage: node test/bench/run.mjs [--runs N] [--net-runs N] [--ci] [--write] [--no-build] [--rows a,b] [--skip-slow] [--skip-net] [--watch-seconds S]\n`,
      );
      process.exit(2);
    }
  }
  if (o.ci) {
    if (!argv.includes('--runs')) o.runs = 5;
    o.slow = false;
    o.net = false;
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs needs a positive integer');
  if (!Number.isInteger(o.netRuns) || o.netRuns < 1) throw new Error('--net-runs needs a positive integer');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const loadAtStart = loadavg();
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const ms = (v) => `${v.toFixed(1)} ms`;
const secs = (v) => `${(v / 1000).toFixed(2)} s`;
const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;
const ratio = (v) => `${v.toFixed(2)}×`;

/** The children's environment: this one without yotta/colour settings, a private HOME and config folder. */
function childEnv(work, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(YOTTA_|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|XDG_CONFIG_HOME$|HTTPS?_PROXY$|https?_proxy$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: work, YOTTA_CONFIG_DIR: join(work, 'config'), ...extra };
}

const yotta = (...args) => [NODE, `${ROOT}/bin/yotta.js`, ...args];
const curl = (url) => ['curl', '-sS', '--fail', '-H', `X-API-Key: ${KEY}`, '-H', 'Accept: application/json', `${url}/openapi/v1/elastic/deploy/list`];
const bare = (url) => [NODE, `${ROOT}/test/bench/bare-list.mjs`, `${url}/openapi/v1/elastic/deploy/list`, KEY];
const NODE_0 = [NODE, '-e', '0'];
/** A command on a pseudo-terminal 120 columns wide (util-linux script); its baseline runs the same way. */
const onTerminal = (command) => ['script', '-qefc', `stty cols 120; ${command}`, '/dev/null'];

/** Checks, outside any measurement, that a command prints what its row claims to measure. */
function check(row, env) {
  const out = captureRun(row.cmd, env);
  if (!row.expect(out)) throw new Error(`${row.cmd.slice(1).join(' ')} did not print what was expected; got:\n${out.slice(0, 500)}`);
}

const HAS_CURL = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * The startup rows. Each is { key, label, cmd, env, base, baseLabel, target, expect } and optionally
 * kind 'rss' (peak RSS instead of time; sameRunsAs: the key of a row whose runs of the same commands
 * it reads, when that row was measured), info (no target; left out by --ci), curl (the same request
 * by curl), needsScript, runs (at most this many runs: the logs rows take seconds each). A row passes when its wall ratio and its CPU ratio are both within target.
 */
function startupRows(small, large, envSmall, envLarge, version) {
  const jsonOf = (n) => (out) => {
    const v = JSON.parse(out);
    return Array.isArray(v) && v.length === n;
  };
  const tableOf = (n) => (out) => /^ID\s+NAME/.test(out) && out.split('\n').filter((l) => /^\d{18}\s/.test(l)).length === n;
  return [
    { key: 'version', label: '`yotta --version`', cmd: yotta('--version'), env: envSmall, base: NODE_0, baseLabel: '`node -e 0`', target: 1.35, expect: (o) => o === `${version}\n` },
    { key: 'help', label: '`yotta --help`', cmd: yotta('--help'), env: envSmall, base: NODE_0, baseLabel: '`node -e 0`', target: 1.35, expect: (o) => o.startsWith('Usage: yotta') },
    {
      key: 'help-tty',
      label: '`yotta --help` on a 120-column terminal',
      cmd: onTerminal(`${NODE} ${ROOT}/bin/yotta.js --help`),
      env: envSmall,
      base: onTerminal(`${NODE} -e 0`),
      baseLabel: '`node -e 0`, same terminal',
      target: 1.35,
      needsScript: true,
      expect: (o) => o.startsWith('Usage: yotta'),
    },
    { key: 'list-json', label: `\`yotta deploy list --json\`, ${SMALL} deployments`, cmd: yotta('deploy', 'list', '--json'), env: envSmall, base: NODE_0, baseLabel: '`node -e 0`', target: 3.0, curl: curl(small.url), expect: jsonOf(SMALL) },
    { key: 'list-table', label: `\`yotta deploy list\` (table), ${SMALL} deployments`, cmd: yotta('deploy', 'list'), env: envSmall, base: NODE_0, baseLabel: '`node -e 0`', target: 3.3, curl: curl(small.url), expect: tableOf(SMALL) },
    { key: 'rss', kind: 'rss', sameRunsAs: 'list-json', label: `peak RSS of \`yotta deploy list --json\`, ${SMALL} deployments`, cmd: yotta('deploy', 'list', '--json'), env: envSmall, base: NODE_0, baseLabel: "`node -e 0`'s", target: 1.4, curl: curl(small.url), expect: jsonOf(SMALL) },
    { key: 'rss-table', kind: 'rss', info: true, sameRunsAs: 'list-table', label: `peak RSS of \`yotta deploy list\` (table), ${SMALL} deployments`, cmd: yotta('deploy', 'list'), env: envSmall, base: NODE_0, baseLabel: "`node -e 0`'s", expect: tableOf(SMALL) },
    { key: 'list-json-10k', label: '`yotta deploy list --json`, 10,000 deployments', cmd: yotta('deploy', 'list', '--json'), env: envLarge, base: bare(large.url), baseLabel: 'bare Node script', target: 1.5, curl: curl(large.url), expect: jsonOf(LARGE) },
    { key: 'list-table-10k', label: '`yotta deploy list` (table), 10,000 deployments', cmd: yotta('deploy', 'list'), env: envLarge, base: bare(large.url), baseLabel: 'bare Node script', target: 3.0, curl: curl(large.url), expect: tableOf(LARGE) },
    { key: 'rss-10k', kind: 'rss', info: true, sameRunsAs: 'list-json-10k', label: 'peak RSS of `yotta deploy list --json`, 10,000 deployments', cmd: yotta('deploy', 'list', '--json'), env: envLarge, base: bare(large.url), baseLabel: "bare script's", curl: curl(large.url), expect: jsonOf(LARGE) },
  ];
}

/** Measures one startup row: { row, m, b, c } summaries of yotta, its baseline and curl, or { row, skipped }. */
async function measureStartupRow(row) {
  if (row.needsScript && !HAS_SCRIPT) return { row, skipped: 'no util-linux script(1) for a pty' };
  if (row.kind === 'rss' && !CPU_SOURCE) return { row, skipped: 'no python3 or GNU time to read peak RSS' };
  check(row, row.env);
  const cmds = [row.cmd, row.base, ...(row.curl && HAS_CURL ? [row.curl] : [])];
  const runs = Math.min(opts.runs, row.runs ?? opts.runs);
  log(`${row.key}: ${runs} runs each of ${cmds.length} commands`);
  const series = await interleaved((c) => measureRun(c, row.env), cmds, runs, opts.ci ? 1 : 2);
  const [m, b, c] = series.map(summary);
  return { row, m, b, c, baseRuns: series[1] };
}

/** A row's ratios: wall and CPU for time rows (CPU undefined without a CPU source), peak RSS for rss rows. */
function ratiosOf(r) {
  if (r.row.kind === 'rss') return { rss: r.m.rssKiB / r.b.rssKiB };
  const extra = r.row.baseExtraMs ?? 0;
  return { wall: r.m.wallMs / (r.b.wallMs + extra), cpu: r.m.cpuMs !== undefined ? r.m.cpuMs / r.b.cpuMs : undefined };
}

/** 'pass', 'fail' or 'info' for a measured row: every ratio it is judged on within target. */
function verdictOf(r) {
  if (r.row.info || r.row.target === undefined) return 'info';
  if (r.row.kind === 'abs') return r.m.wallMs <= r.row.target ? 'pass' : 'fail';
  if (r.row.kind === 'count') return r.count <= r.row.target ? 'pass' : 'fail';
  const q = ratiosOf(r);
  if (r.row.kind === 'rss') return q.rss <= r.row.target ? 'pass' : 'fail';
  const judged = r.row.judgeOn === 'wall' ? [q.wall] : [q.wall, q.cpu].filter((v) => v !== undefined);
  return judged.every((v) => v <= r.row.target) ? 'pass' : 'fail';
}

/** Whether this run is quiet enough to publish: lib.mjs's quietness() on every `node -e 0` run of the startup rows. */
function quietOf(results) {
  const runs = results.filter((r) => !r.skipped && !r.reused && r.row.base === NODE_0).flatMap((r) => r.baseRuns);
  return quietness(runs, loadAtStart[0], cpus().length);
}

async function main() {
  if (opts.build) {
    log('building dist/ (node esbuild.config.mjs)');
    const b = spawnSync(NODE, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  if (!CPU_SOURCE) log(`no CPU time: ${CPU_SOURCE_TEXT}`);
  const version = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version;
  const work = mkdtempSync(join(tmpdir(), 'yotta-bench-'));
  const sandboxes = [];
  try {
    const sandboxEnv = childEnv(work, { YOTTA_SANDBOX_DEPLOYMENT_LIMIT: String(LARGE * 2), YOTTA_SANDBOX_GPU_CAPACITY: '100000000', YOTTA_SANDBOX_DELAY_MS: '0' });
    const small = await startSandboxChild(ROOT, join(work, 'small.json'), sandboxEnv);
    sandboxes.push(small);
    log(`seeding ${SMALL} deployments`);
    await seedDeployments(small.url, KEY, SMALL);
    writeLargeState(join(work, 'small.json'), join(work, 'large.json'), LARGE);
    const large = await startSandboxChild(ROOT, join(work, 'large.json'), sandboxEnv);
    sandboxes.push(large);
    const envSmall = childEnv(work, { YOTTA_BASE_URL: small.url, YOTTA_API_KEY: KEY });
    const envLarge = childEnv(work, { YOTTA_BASE_URL: large.url, YOTTA_API_KEY: KEY });
    // Logs: the same 20 deployments, one of them RUNNING for as long as a 1,000,000-line log takes
    // (a heartbeat every 5 s); the emulator derives lines from that timeline, nothing is stored.
    const logState = JSON.parse(readFileSync(join(work, 'small.json'), 'utf8'));
    const logDep = logState.deployments.find((d) => !d.stopRequestedAt);
    for (const t of [logDep, ...logDep.pods]) for (const k of ['createdAt', 'runningAt']) if (t[k] !== undefined) t[k] -= LOG_LINES * 5000;
    logDep.pods = logDep.pods.slice(0, 1);
    Object.assign(logDep, { image: 'ghcr.io/example/worker:1.0', initializationCommand: 'python3 worker.py' });
    writeFileSync(join(work, 'logs.json'), JSON.stringify(logState));
    const logsSb = await startSandboxChild(ROOT, join(work, 'logs.json'), sandboxEnv);
    sandboxes.push(logsSb);
    const envLogs = childEnv(work, { YOTTA_BASE_URL: logsSb.url, YOTTA_API_KEY: KEY });
    const logsCmd = yotta('deploy', 'logs', logDep.id, '--since', `${Math.ceil((LOG_LINES * 5) / 3600) + 1}h`, '--json');
    const ndjsonOf = (n) => (out) => out.split('\n').length - 1 >= n;
    const lines = LOG_LINES.toLocaleString('en-US');
    // Both for information (left out by --ci): issue 14's RSS budget of 1.5x is not met yet (README, `deploy logs`).
    const logRows = [
      { key: 'logs-json-1m', info: true, runs: 3, label: `\`yotta deploy logs --json\`, ${lines} lines`, cmd: logsCmd, env: envLogs, base: yotta('deploy', 'list', '--json'), baseLabel: `\`deploy list --json\`, ${SMALL} deployments`, expect: ndjsonOf(LOG_LINES) },
      { key: 'logs-rss-1m', kind: 'rss', info: true, sameRunsAs: 'logs-json-1m', runs: 3, label: `peak RSS of \`yotta deploy logs --json\`, ${lines} lines`, cmd: logsCmd, env: envLogs, base: yotta('deploy', 'list', '--json'), baseLabel: `\`deploy list --json\`'s, ${SMALL} deployments`, target: 1.5, expect: ndjsonOf(LOG_LINES) },
    ];

    const results = [];
    const byKey = new Map();
    for (const row of [...startupRows(small, large, envSmall, envLarge, version), ...logRows].filter((r) => (!opts.rows || opts.rows.includes(r.key)) && !(opts.ci && r.info))) {
      const same = byKey.get(row.sameRunsAs);
      const r = same && !same.skipped && same.m.rssKiB !== undefined ? { ...same, row, reused: true } : await measureStartupRow(row);
      byKey.set(row.key, r);
      results.push(r);
    }
    if (opts.net) results.push(...(await networkRows(work, sandboxes)));

    let slow;
    if (opts.slow) slow = await slowMeasurements(work, sandboxEnv, envSmall, small, sandboxes);

    const quiet = quietOf(results);
    const report = render(results, slow, quiet);
    process.stdout.write(report + '\n');
    if (opts.write) {
      if (quiet.quiet) {
        writeFileSync(`${ROOT}/test/bench/RESULTS.md`, resultsFile(report));
        log('wrote test/bench/RESULTS.md');
      } else {
        log('NOT writing test/bench/RESULTS.md: this machine was not quiet enough for figures worth publishing:');
        for (const reason of quiet.reasons) log(`  - ${reason}`);
        log('Re-run `npm run bench -- --write` on a quiet machine (nothing else running; the load average under ' + `${QUIET.loadPerCpu} per CPU).`);
        process.exitCode = 1;
      }
    }
    if (opts.ci) ciGuard(results);
  } finally {
    for (const s of sandboxes) await s.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * --ci: exit 1 when a row's CPU ratio (or peak-RSS ratio) is more than CI_SLACK over its target.
 * CPU time is what the command costs whatever else runs, so a loaded CI machine does not fail this;
 * with no CPU source the guard cannot be trusted and is not run (said loudly, exit 0).
 */
function ciGuard(results) {
  if (!CPU_SOURCE) {
    log(`ci: guard NOT run: no CPU time (${CPU_SOURCE_TEXT}); wall-time ratios on a shared CI machine would fail for its load, not for yotta`);
    return;
  }
  const over = [];
  for (const r of results) {
    if (r.skipped || r.row.info || r.row.target === undefined || r.row.net) continue;
    const q = ratiosOf(r);
    const v = r.row.kind === 'rss' ? q.rss : q.cpu;
    if (v > r.row.target * CI_SLACK) over.push({ r, v });
  }
  for (const { r, v } of over) log(`REGRESSION ${r.row.key}: ${r.row.kind === 'rss' ? 'peak RSS' : 'CPU'} ratio ${ratio(v)} is more than 25 % over its target ${ratio(r.row.target)}`);
  if (over.length > 0) process.exitCode = 1;
  else log('ci: every CPU (and peak RSS) ratio within 25 % of its target');
}

/**
 * The network rows: yotta over HTTPS with LATENCY_MS on every request, as against a real API.
 * The emulator (src/sandbox bundled here, test/bench/net-sandbox.mjs) serves three state files,
 * each by a slow HTTPS server (measured) and a fast plain one (preparing runs, checking them);
 * the first also by a slow plain one, the baseline of the HTTPS list. Returns their results.
 */
async function networkRows(work, sandboxes) {
  const wanted = ['list-https', 'stop-all', 'delete-force', 'handshakes-wait'].filter((k) => !opts.rows || opts.rows.includes(k));
  if (wanted.length === 0) return [];
  const labels = {
    'list-https': `\`yotta deploy list --json\` over HTTPS, ${STOP_ALL} deployments, ${LATENCY_MS} ms per request`,
    'stop-all': `\`yotta deploy stop --all --yes\`, ${STOP_ALL} running deployments, HTTPS, ${LATENCY_MS} ms per request`,
    'delete-force': `\`yotta deploy delete --force --yes\` of ${DELETE_FORCE} running deployments, HTTPS, ${LATENCY_MS} ms per request`,
    'handshakes-wait': `TLS handshakes of one \`yotta deploy create --wait\` (workers start in 3 s)`,
  };
  const skip = (why) => wanted.map((key) => ({ row: { key, label: labels[key], net: true }, skipped: why }));
  if (!HAS_OPENSSL) return skip('no openssl to make a test CA');
  const { build } = await import('esbuild');
  const bundle = join(work, 'sandbox.mjs');
  await build({ entryPoints: [`${ROOT}/src/sandbox/index.ts`], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile: bundle, logLevel: 'warning' });
  const certs = join(work, 'certs');
  mkdirSync(certs);
  const ca = makeTestCa(certs);
  const tls = { keyFile: ca.keyFile, certFile: ca.certFile };
  const common = { deploymentLimit: 1000, gpuCapacity: { '*': 100_000_000 } };
  const state = (n) => ({ ...common, statePath: join(work, `net-${n}.json`) });
  // a: list and stop --all (every transition instant); b: delete --force (stops take 500 ms);
  // c: create --wait (workers take 3 s to start, so it polls a few times).
  const fastA = { ...state('a'), delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } };
  const fastB = { ...state('b'), delays: { workerStartMs: 0, stopMs: 500, terminateMs: 0 } };
  const fastC = { ...state('c'), delays: { workerStartMs: 3000, stopMs: 0, terminateMs: 0 } };
  const net = await startNetSandbox(
    bundle,
    [
      { name: 'a', ...fastA, latencyMs: LATENCY_MS, tls },
      { name: 'a-plain', ...fastA, latencyMs: LATENCY_MS },
      { name: 'a-setup', ...fastA },
      { name: 'b', ...fastB, latencyMs: LATENCY_MS, tls },
      { name: 'b-setup', ...fastB },
      { name: 'c', ...fastC, latencyMs: LATENCY_MS, tls },
    ],
    childEnv(work),
  );
  sandboxes.push(net);
  const { urls } = net;
  const envOf = (name) => childEnv(work, { YOTTA_BASE_URL: urls[name], YOTTA_API_KEY: KEY, NODE_EXTRA_CA_CERTS: ca.caFile });
  const list = (name) => api(urls[name], KEY, 'GET', '/list');
  const create = async (name, n, tag) => {
    const ids = [];
    for (let i = 0; i < n; i++) ids.push((await api(urls[name], KEY, 'POST', '/create', { ...createBody(i), name: `${tag}-${String(i).padStart(2, '0')}` })).id);
    return ids;
  };
  log(`network rows: seeding ${STOP_ALL} deployments behind HTTPS with ${LATENCY_MS} ms per request`);
  await create('a-setup', STOP_ALL, 'net');

  const results = [];
  /** Measures the commands of a row; `envs[j]`, when given, is command j's environment (else the row's). */
  const measured = async (row, cmds, runs, after, envs = []) => {
    log(`${row.key}: ${runs} runs each of ${cmds.length} command${cmds.length > 1 ? 's' : ''}`);
    const series = await interleaved((c, j) => measureRun(c, envs[j] ?? row.env), cmds, runs, 0, after);
    const [m, b] = series.map(summary);
    results.push({ row, m, b });
  };

  if (wanted.includes('list-https')) {
    const row = { key: 'list-https', net: true, label: labels['list-https'], env: envOf('a'), baseLabel: `the same over plain HTTP + ${LATENCY_MS} ms`, baseExtraMs: LATENCY_MS, target: 1.2, judgeOn: 'wall' };
    const jsonOut = (env) => {
      const out = JSON.parse(captureRun(yotta('deploy', 'list', '--json'), env));
      if (!Array.isArray(out) || out.length !== STOP_ALL) throw new Error(`deploy list --json over ${env.YOTTA_BASE_URL} did not list ${STOP_ALL} deployments`);
    };
    jsonOut(row.env);
    jsonOut(envOf('a-plain'));
    const cmd = yotta('deploy', 'list', '--json');
    await measured(row, [cmd, cmd], opts.runs, undefined, [row.env, envOf('a-plain')]);
  }

  if (wanted.includes('stop-all')) {
    const row = { key: 'stop-all', net: true, kind: 'abs', label: labels['stop-all'], env: envOf('a'), target: 1500 };
    const startAll = async () => {
      for (const d of await list('a-setup')) if (d.status !== 'RUNNING') await api(urls['a-setup'], KEY, 'POST', `/${d.id}/start`);
      const running = (await list('a-setup')).filter((d) => d.status === 'RUNNING').length;
      if (running !== STOP_ALL) throw new Error(`stop-all: ${running} of ${STOP_ALL} deployments running before the run`);
      return yotta('deploy', 'stop', '--all', '--yes');
    };
    const allStopped = async () => {
      const left = (await list('a-setup')).filter((d) => d.status !== 'STOPPED' && d.status !== 'STOPPING').length;
      if (left !== 0) throw new Error(`stop-all: ${left} deployments not stopped after \`deploy stop --all --yes\``);
    };
    await measured(row, [startAll], opts.netRuns, allStopped);
  }

  if (wanted.includes('delete-force')) {
    const row = { key: 'delete-force', net: true, label: labels['delete-force'], env: envOf('b'), baseLabel: 'the same of 1', target: 2.0, judgeOn: 'wall' };
    let ids = [];
    const prepare = (n) => async () => {
      ids = await create('b-setup', n, `del${n}`);
      return yotta('deploy', 'delete', ...ids, '--force', '--yes');
    };
    const allGone = async () => {
      const left = new Set((await list('b-setup')).map((d) => d.id));
      if (ids.some((id) => left.has(id))) throw new Error('delete-force: deployments still listed after `deploy delete --force --yes`');
    };
    await measured(row, [prepare(DELETE_FORCE), prepare(1)], opts.netRuns, allGone);
  }

  if (wanted.includes('handshakes-wait')) {
    const row = { key: 'handshakes-wait', net: true, kind: 'count', label: labels['handshakes-wait'], env: envOf('c'), target: 1 };
    const before = await net.handshakes('c');
    log('handshakes-wait: one run');
    const m = measureRun(
      yotta('deploy', 'create', '--name', 'bench-wait', '--image', 'vllm/vllm-openai:latest', '--gpu-type', 'NVIDIA_H100_80G', '--region', 'us-east-1', '--volume', '100', '--service-mode', 'alb', '--port', '8000', '--init-cmd', 'vllm serve', '--workers', '1', '--wait'),
      row.env,
    );
    const count = (await net.handshakes('c')) - before;
    results.push({ row, m, count });
  }
  return results;
}

/** The watch and wait measurements, run at the same time (each takes about a minute). */
async function slowMeasurements(work, sandboxEnv, envSmall, small, sandboxes) {
  const out = { watch: [], wait: undefined };
  const jobs = [];
  // The wait: a worker start of 60 s; stops are instant so the deployment can be started again.
  const waitSb = await startSandboxChild(ROOT, join(work, 'wait.json'), { ...sandboxEnv, YOTTA_SANDBOX_DELAY_MS: '0', YOTTA_SANDBOX_WORKER_START_MS: '60000' });
  sandboxes.push(waitSb);
  const [waitId] = await seedDeployments(waitSb.url, KEY, 1);
  const waitEnv = childEnv(work, { YOTTA_BASE_URL: waitSb.url, YOTTA_API_KEY: KEY });
  log('--wait: starting a deployment that takes 60 s, in real time');
  jobs.push(measureWait(ROOT, waitEnv, waitSb.url, KEY, waitId).then((r) => (out.wait = r), (err) => (out.wait = { error: err.message })));
  // A failed measurement is reported in its row; the timed rows above still get printed.
  const failed = (label) => (err) => out.watch.push({ label, error: err.message });

  if (!HAS_SCRIPT) out.watch.push({ label: '`deploy list --watch`', skipped: 'no util-linux script(1) for a pty' });
  else if (hasWatch(ROOT, envSmall, 'list')) {
    log(`--watch: deploy list --watch on a pty for ${opts.watchSeconds} s`);
    const label = `\`deploy list --watch\`, ${SMALL} deployments`;
    jobs.push(measureWatch(ROOT, envSmall, ['deploy', 'list', '--watch'], opts.watchSeconds).then((r) => out.watch.push({ label, ...r }), failed(label)));
  } else {
    out.watch.push({ label: '`deploy list --watch`', skipped: 'not built (`deploy list` has no --watch yet)' });
    if (hasWatch(ROOT, envSmall, 'workers')) {
      // Workers that take an hour to start keep `deploy workers --watch` refreshing for the whole minute.
      const watchSb = await startSandboxChild(ROOT, join(work, 'watch.json'), { ...sandboxEnv, YOTTA_SANDBOX_WORKER_START_MS: '3600000' });
      sandboxes.push(watchSb);
      const [id] = await seedDeployments(watchSb.url, KEY, 1);
      await api(watchSb.url, KEY, 'POST', `/${id}/workers`, { workers: 4 });
      const env = childEnv(work, { YOTTA_BASE_URL: watchSb.url, YOTTA_API_KEY: KEY });
      log(`--watch: deploy workers --watch on a pty for ${opts.watchSeconds} s (the --watch that exists)`);
      const label = '`deploy workers ID --watch` (4 workers starting)';
      jobs.push(measureWatch(ROOT, env, ['deploy', 'workers', id, '--watch'], opts.watchSeconds).then((r) => out.watch.push({ label, ...r }), failed(label)));
    }
  }
  await Promise.all(jobs);
  return out;
}

/** An error message fit for a table cell: its first line, without pipes. */
function oneLine(text) {
  return String(text).split('\n')[0].replace(/\|/g, '/').slice(0, 200);
}

/** A time as "wall / CPU", CPU left out when not measured. */
function wallCpu(s, fmt = ms) {
  return s.cpuMs === undefined ? `${fmt(s.wallMs)} wall` : `${fmt(s.wallMs)} / ${fmt(s.cpuMs)}`;
}

/** One line of the main table for a measured or skipped row. */
function renderRow(r) {
  const target = r.row.target === undefined ? '' : r.row.kind === 'abs' ? `≤ ${secs(r.row.target)} wall` : r.row.kind === 'count' ? `${r.row.target}` : `≤ ${ratio(r.row.target)}`;
  if (r.skipped) return `| ${r.row.label} | n/a | n/a | n/a | n/a | ${target} | skipped: ${r.skipped} | |`;
  const v = verdictOf(r);
  const verdict = v === 'info' ? 'for information' : v === 'pass' ? 'pass' : '**FAIL**';
  const fmt = r.m.wallMs >= 1000 ? secs : ms;
  if (r.row.kind === 'abs') return `| ${r.row.label} | ${wallCpu(r.m, fmt)} | n/a (absolute target) | n/a | n/a | ${target} | ${verdict} | |`;
  if (r.row.kind === 'count') {
    return `| ${r.row.label} | ${r.count} handshake${r.count === 1 ? '' : 's'} (${wallCpu(r.m, fmt)}) | n/a (a count) | n/a | n/a | ${target} | ${verdict} | |`;
  }
  const q = ratiosOf(r);
  const curlOf = (value, base) => (r.c === undefined ? (r.row.curl ? 'no curl' : '') : `${value} (${ratio(base)})`);
  if (r.row.kind === 'rss') {
    const c = r.c ? curlOf(mb(r.c.rssKiB), r.c.rssKiB / r.b.rssKiB) : r.row.curl ? 'no curl' : '';
    return `| ${r.row.label} | ${mb(r.m.rssKiB)} | ${mb(r.b.rssKiB)} ${r.row.baseLabel} | ${ratio(q.rss)} (peak RSS) | | ${target} | ${verdict} | ${c} |`;
  }
  const c = r.c ? curlOf(wallCpu(r.c), r.c.wallMs / r.b.wallMs) : r.row.curl ? 'no curl' : '';
  const cpuRatio = q.cpu === undefined ? 'n/a' : ratio(q.cpu);
  return `| ${r.row.label} | ${wallCpu(r.m, fmt)} | ${wallCpu(r.b, fmt)} ${r.row.baseLabel} | ${ratio(q.wall)} | ${cpuRatio} | ${target} | ${verdict} | ${c} |`;
}

/** The report: a Markdown table of the measured rows, then the slow measurements and the conditions. */
function render(results, slow, quiet) {
  const lines = [];
  if (!quiet.quiet) {
    lines.push('**Not a quiet run: these figures are not fit to publish.** ' + quiet.reasons.join('; ') + '. Re-run on a quiet machine.');
    lines.push('');
  }
  lines.push('| Row | yotta, wall / CPU (median) | Baseline, wall / CPU (median) | Ratio, wall | Ratio, CPU | Target | Result | curl, same request (wall ratio) |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of results) lines.push(renderRow(r));
  if (slow) {
    lines.push('');
    lines.push('| Also measured | Target | Measured | Result |');
    lines.push('| --- | --- | --- | --- |');
    for (const w of slow.watch) {
      if (w.skipped || w.error) {
        lines.push(`| ${w.label} on a TTY, ${opts.watchSeconds} s | ≤ 2 % of one core, no memory growth | ${w.skipped ?? `not measured: ${oneLine(w.error)}`} | ${w.error ? '**ERROR**' : ''} |`);
        continue;
      }
      const grew = w.rssEndKiB - w.rssStartKiB;
      const ok = w.cpuPercent <= 2 && grew <= 2048;
      lines.push(
        `| ${w.label} on a TTY, ${Math.round(w.seconds)} s | ≤ 2 % of one core, no memory growth | CPU ${w.cpuPercent.toFixed(2)} % of one core; RSS ${mb(w.rssStartKiB)} at the start, ${mb(w.rssEndKiB)} at the end (max ${mb(w.rssMaxKiB)}) | ${ok ? 'pass' : '**FAIL**'} |`,
      );
    }
    const wt = slow.wait;
    lines.push(
      wt.error
        ? `| \`deploy start --wait\` for a deployment taking 60 s to start | ≤ 30 requests | not measured: ${oneLine(wt.error)} | **ERROR** |`
        : `| \`deploy start --wait\` for a deployment taking 60 s to start | ≤ 30 requests | ${wt.requests} requests (${wt.gets} GET) over ${wt.seconds.toFixed(1)} s | ${wt.requests <= 30 ? 'pass' : '**FAIL**'} |`,
    );
  }
  lines.push('');
  const cpu = cpus();
  const b = quiet.baseline;
  const fmtLoad = (l) => l.map((v) => v.toFixed(2)).join(' ');
  lines.push(
    `Node ${process.versions.node}, ${osType()} ${release()}, ${cpu.length}× ${cpu[0]?.model.trim() ?? 'CPU'}; load average ${fmtLoad(loadAtStart)} at the start, ${fmtLoad(loadavg())} at the end; ` +
      (b ? `\`node -e 0\`: median ${ms(b.wallMs)} wall${b.cpuMs !== undefined ? ` / ${ms(b.cpuMs)} CPU` : ''}, fastest ${ms(b.minWallMs)} over ${b.runs} runs; ` : '') +
      `${opts.runs} runs per command${opts.net ? ` (${opts.netRuns} for the slow network rows)` : ''}, interleaved with its baseline${HAS_CURL ? ' and curl' : ''}; medians; ` +
      `CPU time (user + system) and peak RSS from ${CPU_SOURCE_TEXT}; stdout of every measured process is /dev/null (not a TTY), but for the terminal row's pty; ` +
      (process.env.NODE_DISABLE_COMPILE_CACHE
        ? "Node's compile cache turned off (NODE_DISABLE_COMPILE_CACHE)."
        : `Node's compile cache in ${process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache')} (turned on by bin/yotta.js; warm after the first runs).`),
  );
  return lines.join('\n');
}

function resultsFile(report) {
  return `## Performance

Measured by \`npm run bench\` (test/bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}, on a quiet machine (the benchmark
writes this file only then: see "Quiet runs only" below). Every row is a whole process, run from
spawn to exit and interleaved with its baseline in the same run: the startup rows against
\`node -e 0\`, the 10,000-deployment rows against a bare Node script that fetches, parses and prints
the same list (test/bench/bare-list.mjs). curl on the same request is the floor of any client. The
emulator (\`yotta sandbox\`) runs as a separate process on loopback. Each run's wall time, CPU time
(user + system) and peak RSS are the kernel's account of the child (wait4(2)); a row passes when
both its wall ratio and its CPU ratio are within target.

${report}

The network rows run against the emulator over HTTPS on loopback (a throwaway test CA made with
openssl, trusted through \`NODE_EXTRA_CA_CERTS\`) with ${LATENCY_MS} ms of latency on every request, as a
real API is a TLS connection and a round trip away. The HTTPS list is compared with the same over
plain HTTP plus one round trip (a TLS handshake's); \`stop --all\` has an absolute target; \`delete
--force\` of ${DELETE_FORCE} is compared with the same of one deployment (a stop, a wait, a delete); the handshake
count is the server's (\`secureConnection\` events) over a whole \`create --wait\`: one means every poll
reused the first connection.

The \`--watch\` row runs the command on a pseudo-terminal (util-linux \`script\`, 120×40) and, after
3 s of start-up, reads its CPU time and resident memory from /proc once a second; "no memory growth"
means the largest RSS of the last third of the samples is within 2 MB of the first third's. The
\`--wait\` row counts the HTTP requests in the \`--debug\` trace of \`yotta deploy start ID --wait\` for a
deployment whose workers take 60 s to start, in real time; a fake-clock test holds the same limit
(test/commands/deploy-wait.test.ts, "a start taking 60 s needs at most 30 requests").

The terminal row runs both commands on a pseudo-terminal 120 columns wide (util-linux \`script\`,
whose own start-up is in both times): a person typing \`yotta --help\` gets the text pre-rendered at
build time, as a pipe does. A terminal narrower than the help's longest line (105 columns), other
than 80 columns, gets commander's own rendering at its width: about 1.6× \`node -e 0\`.

### Quiet runs only

A busy machine adds waiting for a CPU to the wall time of both sides of a ratio, which pulls every
wall ratio towards 1 and flatters the command. \`npm run bench -- --write\` therefore refuses to write
this file (and exits 1, saying why) when \`node -e 0\`'s median wall time is more than ${QUIET.spread}× its fastest
run, or more than ${QUIET.waiting}× its median CPU time (on a quiet machine the two agree: it never waits), or
when the 1-minute load average at the start is above ${QUIET.loadPerCpu} per CPU. CI's guard (\`npm run bench:ci\`)
compares CPU ratios, which a loaded machine moves far less.

### What keeps it within budget

- \`bin/yotta.js\` answers \`--version\` and the root \`--help\` without loading the CLI (the help is
  pre-rendered at build time for pipes, 80-column terminals and wide ones).
- Only the command being run is registered and loaded (src/commands/index.ts): \`deploy list\` loads
  no other verb; zod, yaml, ora, chalk, conf and cli-table3 are imported only on the paths that use them.
- Node built-ins are fetched on first use (build/patches/lazy-builtins.mjs): an \`import\` of
  node:util, or commander's of node:child_process, loads nothing until a function of it is called.
- undici is bundled from the parts the client uses (its Agent and request, not index.js with fetch,
  WebSocket, caches and mocks), and its HTTP/2 half, node:http and node:assert are required where
  they are used, not at load.
- The config file is read with a plain JSON read; conf is loaded only to write it.
- The launcher turns on Node's compile cache.
- A table that nothing cuts (on a pipe, or a terminal wide enough) is its cells padded to their
  columns' widths, without cli-table3 (not even loaded); cli-table3 draws only tables whose columns a
  terminal's width cuts, in slices of 50 rows (its layout is quadratic).
- Cells are measured with cli-table3's own measure (not string-width 8, whose Intl.Segmenter and
  emoji regular expression cost ~25 ms to build); the bundle caches its measures, so each distinct
  text is measured once, and answers plain Latin text by its length without compiling emoji-regex
  (build/patches/cli-table3-width-cache.mjs).

### Reproduce

\`\`\`sh
npm ci
npm run bench                       # builds dist/, 10 runs per row, the network rows, then --watch (60 s) and --wait (60 s)
npm run bench -- --runs 30 --skip-slow --skip-net
npm run bench:ci                    # 5 runs; exit 1 when a CPU ratio is more than 25 % over its target
npm run bench -- --write            # regenerates this file (test/bench/RESULTS.md), on a quiet machine only
node test/bench/bundle-report.mjs   # what dist/cli.js loads before any command runs, and why
\`\`\`

CPU time and peak RSS need python3 (its os.wait4 reads the child's rusage to the microsecond) or
else GNU time (\`/usr/bin/time\`, Debian package \`time\`; CPU time to 10 ms only); the network rows
need openssl, and the --watch and terminal rows util-linux \`script\`; without them those rows or
columns say so and the rest still runs.
`;
}

main().catch((err) => {
  log(err.stack ?? String(err));
  if (err.cause) log(`cause: ${err.cause.stack ?? err.cause}`);
  process.exit(1);
});
