#!/usr/bin/env node
// `npm run bench`: the performance budget of issue 7, measured as ratios against the floor a Node
// program cannot go below, side by side in one run (absolute times on shared machines drift).
//
//   node test/bench/run.mjs [--runs N] [--ci] [--write] [--no-build] [--rows a,b] [--skip-slow] [--watch-seconds S]
//
// It builds dist/ (unless --no-build), starts the emulator (`yotta sandbox`) as child processes —
// one with 20 deployments, one with 10,000 — and times every row interleaved with its baseline
// and with curl on the same request (the floor of any client), N runs each (default 10), all with
// this harness's own Node binary. stdout of every measured process is /dev/null (not a TTY).
// Peak RSS comes from /usr/bin/time -v when present. Then, unless --skip-slow: `--watch` CPU and
// memory on a pty for 60 s, and the requests `--wait` sends for a deployment taking 60 s to start.
//
// --ci: 5 runs, no slow measurements, and exit 1 when a ratio is more than 25 % over its target
// (a regression guard, not a timed test). --write: also write test/bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GNU_TIME,
  NODE,
  api,
  captureRun,
  interleaved,
  median,
  rssRun,
  seedDeployments,
  startSandboxChild,
  timeRun,
  writeLargeState,
} from './lib.mjs';
import { HAS_SCRIPT, hasWatch, measureWait, measureWatch } from './slow.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const KEY = 'sandbox-0000-key';
const SMALL = 20;
const LARGE = 10_000;
/** CI fails when a ratio exceeds its target by more than this. */
const CI_SLACK = 1.25;

function parseArgs(argv) {
  const o = { runs: 10, ci: false, write: false, build: true, rows: undefined, slow: true, watchSeconds: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--ci') o.ci = true;
    else if (a === '--write') o.write = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--rows') o.rows = argv[++i].split(',');
    else if (a === '--skip-slow') o.slow = false;
    else if (a === '--watch-seconds') o.watchSeconds = Number(argv[++i]);
    else {
      process.stderr.write(`bench: unknown argument ${a}\nusage: node test/bench/run.mjs [--runs N] [--ci] [--write] [--no-build] [--rows a,b] [--skip-slow] [--watch-seconds S]\n`);
      process.exit(2);
    }
  }
  if (o.ci) {
    if (!argv.includes('--runs')) o.runs = 5;
    o.slow = false;
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs needs a positive integer');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const ms = (v) => `${v.toFixed(1)} ms`;
const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;
const ratio = (v) => `${v.toFixed(2)}×`;

/** The children's environment: this one without yotta/colour settings, a private HOME and config folder. */
function childEnv(work, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(YOTTA_|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$|XDG_CONFIG_HOME$|HTTPS?_PROXY$|https?_proxy$)/.test(k)) continue;
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

async function main() {
  if (opts.build) {
    log('building dist/ (node esbuild.config.mjs)');
    const b = spawnSync(NODE, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
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
    const jsonOf = (n) => (out) => {
      const v = JSON.parse(out);
      return Array.isArray(v) && v.length === n;
    };
    const tableOf = (n) => (out) => /^ID\s+NAME/.test(out) && out.split('\n').filter((l) => /^\d{18}\s/.test(l)).length === n;

    const rows = [
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
      { key: 'rss', kind: 'rss', label: `peak RSS of \`yotta deploy list --json\`, ${SMALL} deployments`, cmd: yotta('deploy', 'list', '--json'), env: envSmall, base: NODE_0, baseLabel: "`node -e 0`'s", target: 1.4, curl: curl(small.url), expect: jsonOf(SMALL) },
      { key: 'list-json-10k', label: '`yotta deploy list --json`, 10,000 deployments', cmd: yotta('deploy', 'list', '--json'), env: envLarge, base: bare(large.url), baseLabel: 'bare Node script', target: 1.5, curl: curl(large.url), expect: jsonOf(LARGE) },
      { key: 'list-table-10k', label: '`yotta deploy list` (table), 10,000 deployments', cmd: yotta('deploy', 'list'), env: envLarge, base: bare(large.url), baseLabel: 'bare Node script', target: 3.0, curl: curl(large.url), expect: tableOf(LARGE) },
      { key: 'rss-10k', kind: 'rss', info: true, label: 'peak RSS of `yotta deploy list --json`, 10,000 deployments', cmd: yotta('deploy', 'list', '--json'), env: envLarge, base: bare(large.url), baseLabel: "bare script's", curl: curl(large.url), expect: jsonOf(LARGE) },
    ].filter((r) => !opts.rows || opts.rows.includes(r.key));

    const results = [];
    for (const row of rows) {
      if (row.needsScript && !HAS_SCRIPT) {
        results.push({ row, skipped: 'no util-linux script(1) for a pty' });
        continue;
      }
      check(row, row.env);
      const cmds = [row.cmd, row.base, ...(row.curl && HAS_CURL ? [row.curl] : [])];
      if (row.kind === 'rss' && !GNU_TIME) {
        results.push({ row, skipped: 'no /usr/bin/time' });
        continue;
      }
      log(`${row.key}: ${opts.runs} runs each of ${cmds.length} commands`);
      const measure = row.kind === 'rss' ? (c) => rssRun(c, row.env) : (c) => timeRun(c, row.env);
      const series = interleaved(measure, cmds, opts.runs, opts.ci ? 1 : 2);
      const [m, b, c] = series.map(median);
      results.push({ row, value: m, base: b, curl: c, ratio: m / b, curlRatio: c === undefined ? undefined : c / b });
    }

    let slow;
    if (opts.slow) slow = await slowMeasurements(work, sandboxEnv, envSmall, small, sandboxes);

    const report = render(results, slow);
    process.stdout.write(report + '\n');
    if (opts.write) {
      writeFileSync(`${ROOT}/test/bench/RESULTS.md`, resultsFile(report));
      log('wrote test/bench/RESULTS.md');
    }
    if (opts.ci) {
      const over = results.filter((r) => !r.skipped && !r.row.info && r.ratio > r.row.target * CI_SLACK);
      for (const r of over) log(`REGRESSION ${r.row.key}: ${ratio(r.ratio)} is more than 25 % over its target ${ratio(r.row.target)}`);
      if (over.length > 0) process.exitCode = 1;
      else log(`ci: every ratio within 25 % of its target`);
    }
  } finally {
    for (const s of sandboxes) await s.close();
    rmSync(work, { recursive: true, force: true });
  }
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

/** The report: a Markdown table of the timed rows, then the slow measurements and the conditions. */
function render(results, slow) {
  const lines = [];
  lines.push('| Row | yotta (median) | Baseline (median) | Ratio | Target | Result | curl, same request (ratio to baseline) |');
  lines.push('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of results) {
    const fmt = r.row.kind === 'rss' ? mb : ms;
    if (r.skipped) {
      lines.push(`| ${r.row.label} | n/a | n/a | n/a | ≤ ${ratio(r.row.target)} | skipped: ${r.skipped} | |`);
      continue;
    }
    const verdict = r.row.info ? 'for information' : r.ratio <= r.row.target ? 'pass' : `**FAIL**`;
    const curlCell = r.curl === undefined ? (r.row.curl ? 'no curl' : '') : `${fmt(r.curl)} (${ratio(r.curlRatio)})`;
    const target = r.row.target ? `≤ ${ratio(r.row.target)}` : '';
    lines.push(`| ${r.row.label} | ${fmt(r.value)} | ${fmt(r.base)} ${r.row.baseLabel} | ${ratio(r.ratio)} | ${target} | ${verdict} | ${curlCell} |`);
  }
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
  lines.push(
    `Node ${process.versions.node}, ${osType()} ${release()}, ${cpu.length}× ${cpu[0]?.model.trim() ?? 'CPU'}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${opts.runs} runs per command, interleaved with its baseline${HAS_CURL ? ' and curl' : ''}; ` +
      `medians; stdout of every measured process is /dev/null (not a TTY), but for the terminal row's pty; peak RSS from ${GNU_TIME ? `${GNU_TIME} -v` : 'nowhere (no GNU time: skipped)'}; ` +
      (process.env.NODE_DISABLE_COMPILE_CACHE
        ? "Node's compile cache turned off (NODE_DISABLE_COMPILE_CACHE)."
        : `Node's compile cache in ${process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache')} (turned on by bin/yotta.js; warm after the first runs).`),
  );
  return lines.join('\n');
}

function resultsFile(report) {
  return `## Performance

Measured by \`npm run bench\` (test/bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}. Every row is a whole
process, timed from spawn to exit and interleaved with its baseline in the same run, so that the
ratio holds on a busy machine where absolute times drift: the startup rows against \`node -e 0\`,
the 10,000-deployment rows against a bare Node script that fetches, parses and prints the same list
(test/bench/bare-list.mjs). curl on the same request is the floor of any client. The emulator
(\`yotta sandbox\`) runs as a separate process on loopback.

${report}

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

### What keeps it within budget

- \`bin/yotta.js\` answers \`--version\` and the root \`--help\` without loading the CLI (the help is
  pre-rendered at build time for pipes, 80-column terminals and wide ones).
- Only the command being run is registered and loaded (src/commands/index.ts): \`deploy list\` loads
  no other verb; zod, yaml, ora, chalk, conf and cli-table3 are imported only on the paths that use them.
- Node built-ins are fetched on first use (esbuild.config.mjs, \`lazyBuiltins\`): an \`import\` of
  node:util, or commander's of node:child_process, loads nothing until a function of it is called.
- undici is bundled from the parts the client uses (its Agent and request, not index.js with fetch,
  WebSocket, caches and mocks), and its HTTP/2 half, node:http and node:assert are required where
  they are used, not at load.
- The config file is read with a plain JSON read; conf is loaded only to write it.
- The launcher turns on Node's compile cache.
- Long tables are drawn by cli-table3 in slices of 50 rows (its layout is quadratic), and the bundle
  caches its text measures, so each distinct cell text is measured once.

### Reproduce

\`\`\`sh
npm ci
npm run bench                       # builds dist/, 10 runs per row, then --watch (60 s) and --wait (60 s)
npm run bench -- --runs 30 --skip-slow
npm run bench:ci                    # 5 runs; exit 1 when a ratio is more than 25 % over its target
npm run bench -- --write            # regenerates this file (test/bench/RESULTS.md)
node test/bench/bundle-report.mjs   # what dist/cli.js loads before any command runs, and why
\`\`\`

Peak RSS needs GNU time (\`/usr/bin/time\`, Debian package \`time\`), and the --watch and terminal
rows util-linux \`script\`; without them those rows say so and the rest still runs.
`;
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exit(1);
});
