// What each dependency patch in build/patches/ is worth: builds the CLI without it (one build per
// patch, YOTTA_BUILD_WITHOUT), then measures `deploy list --json` and `deploy list` (table) of 20
// deployments against the emulator, paired with the full build, and prints the difference in peak
// RSS (deterministic enough on a busy machine) and CPU time (user + sys, from GNU time). A patch that
// saves less than 5 % of every budget row it touches does not earn its place (README "Build patches").
//
//   node build/measure-patches.mjs [--runs N]
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATCHES } from './patches/index.mjs';
import { NODE, median, seedDeployments, startSandboxChild } from '../test/bench/lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;
const TIME = ['/usr/bin/time', '/bin/time'].find((p) => spawnSync(p, ['-f', '%M', 'true']).status === 0);
if (!TIME) {
  console.error('measure-patches: needs GNU time (apt-get install time)');
  process.exit(2);
}

/** Builds into a folder of its own, leaving out `without` (a patch name, or '' for the full build). */
function buildWithout(without) {
  const dir = mkdtempSync(join(tmpdir(), `yotta-patch-${without || 'all'}-`));
  mkdirSync(join(dir, 'bin'));
  for (const entry of ['src', 'build', 'node_modules']) symlinkSync(join(ROOT, entry), join(dir, entry), 'dir');
  for (const f of ['package.json', 'esbuild.config.mjs']) copyFileSync(join(ROOT, f), join(dir, f));
  copyFileSync(join(ROOT, 'bin', 'yotta.js'), join(dir, 'bin', 'yotta.js'));
  const r = spawnSync(NODE, ['esbuild.config.mjs'], { cwd: dir, env: { ...process.env, YOTTA_BUILD_WITHOUT: without }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build without ${without} failed:\n${r.stderr}`);
  return dir;
}

/** Peak RSS (KiB) and CPU ms of one run. */
function measure(dir, args, env) {
  const r = spawnSync(TIME, ['-f', '%M %U %S', NODE, join(dir, 'bin', 'yotta.js'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  const [rss, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { rss, cpu: (user + sys) * 1000 };
}

const state = join(mkdtempSync(join(tmpdir(), 'yotta-patch-state-')), 'state.json');
const builds = [['', buildWithout('')], ...PATCHES.map((p) => [p.name, buildWithout(p.name)])];
const sandbox = await startSandboxChild(ROOT, state, { ...process.env });
const key = 'sandbox-0000-key';
try {
  await seedDeployments(sandbox.url, key, 20);
  const env = { PATH: process.env.PATH, HOME: tmpdir(), YOTTA_BASE_URL: sandbox.url, YOTTA_API_KEY: key, YOTTA_CONFIG_DIR: join(tmpdir(), 'yotta-patch-cfg') };
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${RUNS} runs each, interleaved`);
  for (const [label, args] of [['deploy list --json', ['deploy', 'list', '--json']], ['deploy list (table)', ['deploy', 'list']]]) {
    const samples = builds.map(() => []);
    for (let i = 0; i < RUNS + 2; i++) {
      builds.forEach(([, dir], k) => {
        const m = measure(dir, args, env);
        if (i >= 2) samples[k].push(m);
      });
    }
    // RSS: the median. CPU: the mean, since GNU time counts in 10 ms ticks and a median of ticks hides a few ms.
    const med = (k, f) => (f === 'rss' ? median(samples[k].map((m) => m[f])) : samples[k].reduce((t, m) => t + m[f], 0) / samples[k].length);
    const baseRss = med(0, 'rss');
    const baseCpu = med(0, 'cpu');
    console.log(`\n${label}: all patches ${(baseRss / 1024).toFixed(1)} MB peak RSS, ${baseCpu.toFixed(0)} ms CPU`);
    builds.slice(1).forEach(([name], j) => {
      const k = j + 1;
      const dRss = med(k, 'rss') - baseRss;
      const dCpu = med(k, 'cpu') - baseCpu;
      console.log(`  without ${name.padEnd(24)} RSS ${dRss >= 0 ? '+' : ''}${(dRss / 1024).toFixed(2)} MB (${((100 * dRss) / baseRss).toFixed(1)} %)  CPU ${dCpu >= 0 ? '+' : ''}${dCpu.toFixed(1)} ms (${((100 * dCpu) / baseCpu).toFixed(1)} %)`);
    });
  }
} finally {
  await sandbox.close();
  for (const [, dir] of builds) rmSync(dir, { recursive: true, force: true });
}
