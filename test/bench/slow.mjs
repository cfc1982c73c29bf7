/* global clearTimeout */
// The two measurements of the issue that are not startup ratios: `--watch` CPU and memory over a
// minute on a terminal, and how many requests `--wait` sends for a deployment taking 60 s to start.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { NODE, api } from './lib.mjs';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Whether util-linux `script` (a pty for a child) is here. */
export const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Whether `yotta <group> <verb>` has a `--watch` flag in this build. */
export function hasWatch(root, env, verb) {
  const r = spawnSync(NODE, [`${root}/bin/yotta.js`, 'deploy', verb, '--help'], { env, encoding: 'utf8' });
  return r.status === 0 && /--watch\b/.test(r.stdout);
}

function children(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** The process below `pid` that runs bin/yotta.js (script → shell → node, or script → node). */
function findYotta(pid) {
  const queue = children(pid);
  while (queue.length) {
    const p = queue.shift();
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('/bin/yotta.js'))) return p;
    } catch {
      continue;
    }
    queue.push(...children(p));
  }
  return undefined;
}

/** CPU seconds (user + system) used so far by `pid`, from /proc. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Resident set size of `pid` in KiB, from /proc. */
function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/**
 * Runs `yotta <args>` on a pty (util-linux script, 120×40) for `seconds` after a 3 s settling
 * time, then Ctrl-C. Returns the CPU share of one core over that window and the RSS at its start
 * and end (sampled every second, so a steady climb shows even when the last sample dips after a GC).
 */
export async function measureWatch(root, env, args, seconds) {
  const command = `stty cols 120 rows 40 2>/dev/null; exec ${[NODE, `${root}/bin/yotta.js`, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  child.stdout.on('data', (c) => (transcript = (transcript + c).slice(-4000)));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let pid;
  for (let i = 0; i < 400 && pid === undefined; i++) {
    await sleep(50);
    pid = findYotta(child.pid);
  }
  if (pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`no bin/yotta.js process found under script(1) within 20 s; transcript:\n${transcript.slice(-500)}`);
  }
  await sleep(3000);
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  const samples = [rssKiB(pid)];
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    samples.push(rssKiB(pid));
  }
  const cpu1 = cpuSeconds(pid);
  const elapsed = (Date.now() - t0) / 1000;
  child.stdin.write('\x03');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const firstThird = samples.slice(0, third);
  const lastThird = samples.slice(-third);
  return {
    cpuPercent: ((cpu1 - cpu0) / elapsed) * 100,
    seconds: elapsed,
    rssStartKiB: Math.max(...firstThird),
    rssEndKiB: Math.max(...lastThird),
    rssMaxKiB: Math.max(...samples),
  };
}

/**
 * Stops deployment `id` (the emulator must have a stop delay of 0 and a worker start delay of
 * 60 s), then runs `yotta --debug deploy start ID --wait` in real time and counts the HTTP
 * attempts its --debug trace shows, and how long it waited.
 */
export async function measureWait(root, env, url, key, id) {
  await api(url, key, 'POST', `/${id}/stop`);
  const started = Date.now();
  const child = spawn(NODE, [`${root}/bin/yotta.js`, '--debug', 'deploy', 'start', id, '--wait'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`deploy start --wait exited ${code}:\n${err}`);
  const attempts = err.split('\n').filter((l) => /^http: (GET|POST|DELETE) /.test(l));
  return {
    requests: attempts.length,
    gets: attempts.filter((l) => l.startsWith('http: GET')).length,
    seconds: (Date.now() - started) / 1000,
  };
}
