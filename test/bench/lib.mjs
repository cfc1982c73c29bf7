/* global structuredClone, Buffer */
// Measuring child processes for the benchmark: wall time, CPU time (user + system) and peak RSS of
// one run as the kernel accounted them to the child, medians, the emulator as a child process
// seeded with deployments, and a throwaway test CA for the HTTPS rows.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The one Node binary every measured process uses (the harness's own). */
export const NODE = process.execPath;

/** GNU time; undefined when this machine has none. */
export const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p) && spawnSync(p, ['-f', '%U', 'true']).status === 0);

/**
 * Python 3's own executable (not a pyenv shim: resolved once), for wait4.py; undefined without one.
 * Node cannot read a child's rusage, and GNU time prints CPU times to 10 ms only, a third of
 * `node -e 0`; os.wait4() gives them to the microsecond.
 */
const PYTHON = (() => {
  const r = spawnSync('python3', ['-c', 'import os, sys; os.wait4; os.posix_spawnp; os.waitstatus_to_exitcode; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
})();

const WAIT4 = fileURLToPath(new URL('./wait4.py', import.meta.url));

/**
 * Where CPU time and peak RSS come from: 'wait4' (python3 os.wait4, to the microsecond),
 * 'gnu-time' (/usr/bin/time, CPU to 10 ms), or undefined (wall time only).
 */
export const CPU_SOURCE = PYTHON ? 'wait4' : GNU_TIME ? 'gnu-time' : undefined;

/** What CPU_SOURCE means, for the report's footer. */
export const CPU_SOURCE_TEXT =
  CPU_SOURCE === 'wait4'
    ? "the kernel's rusage of each child (wait4(2), through python3's os.wait4; microseconds)"
    : CPU_SOURCE === 'gnu-time'
      ? `GNU time (${GNU_TIME}; CPU time to 10 ms only: install python3 for microseconds)`
      : 'nowhere: neither python3 nor GNU time is installed, so CPU time and peak RSS are not measured';

const devNull = openSync('/dev/null', 'w');
/** Where GNU time writes its figures (a file: it cannot open /dev/fd/N of a socket pair). */
const GNU_TIME_OUT = join(tmpdir(), `yotta-bench-time-${process.pid}.txt`);
if (CPU_SOURCE === 'gnu-time') process.on('exit', () => rmSync(GNU_TIME_OUT, { force: true }));

/**
 * Runs `cmd` once with stdout on /dev/null (not a TTY) and returns what it cost:
 * { wallMs, cpuMs (user + system), rssKiB } — cpuMs and rssKiB undefined when CPU_SOURCE is.
 * Throws with the child's stderr when it exits non-zero.
 */
export function measureRun(cmd, env) {
  const fail = (code, stderr) => new Error(`${cmd.join(' ')} exited ${code}:\n${stderr}`);
  if (CPU_SOURCE === 'wait4') {
    const r = spawnSync(PYTHON, [WAIT4, ...cmd], { stdio: ['ignore', devNull, 'pipe', 'pipe'], env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const line = r.output?.[3]?.trim();
    if (!line) throw new Error(`wait4.py gave no measurement for ${cmd.join(' ')} (exit ${r.status ?? r.signal}):\n${r.stderr}`);
    const m = JSON.parse(line);
    if (m.code !== 0) throw fail(m.code, r.stderr);
    return { wallMs: m.wallMs, cpuMs: m.userMs + m.sysMs, rssKiB: m.rssKiB };
  }
  if (CPU_SOURCE === 'gnu-time') {
    const started = performance.now();
    const r = spawnSync(GNU_TIME, ['-f', 'yotta-bench %U %S %M', '-o', GNU_TIME_OUT, ...cmd], { stdio: ['ignore', devNull, 'pipe'], env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const wallMs = performance.now() - started;
    if (r.status !== 0) throw fail(r.status ?? r.signal, r.stderr);
    const m = /yotta-bench ([\d.]+) ([\d.]+) (\d+)/.exec(readFileSync(GNU_TIME_OUT, 'utf8'));
    if (!m) throw new Error(`GNU time gave no measurement for ${cmd.join(' ')}:\n${r.stderr}`);
    return { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, rssKiB: Number(m[3]) };
  }
  const started = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', devNull, 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw fail(r.status ?? r.signal, r.stderr);
  return { wallMs, cpuMs: undefined, rssKiB: undefined };
}

/** The output of one run, for checking that a command does what is measured. */
export function captureRun(cmd, env) {
  const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return r.stdout;
}

/** Median of a list of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The median wall time, CPU time and peak RSS of a list of measureRun() results, the fastest wall time and the count. */
export function summary(list) {
  const of = (k) => (list.length > 0 && list.every((m) => m[k] !== undefined) ? median(list.map((m) => m[k])) : undefined);
  return { wallMs: of('wallMs'), cpuMs: of('cpuMs'), rssKiB: of('rssKiB'), minWallMs: Math.min(...list.map((m) => m.wallMs)), runs: list.length };
}

/**
 * When a run is quiet enough to publish (see quietness()). On a quiet machine `node -e 0` runs
 * on a CPU from start to end: its wall time is its CPU time (measured 27.7 ms wall, 27.5 ms CPU)
 * and its runs agree. Each limit below is broken by a busy machine long before ratios move much.
 */
export const QUIET = {
  /** The baseline's median wall time at most this times its fastest run. */
  spread: 1.5,
  /** The baseline's median wall time at most this times its median CPU time (the rest is waiting for a CPU). */
  waiting: 1.25,
  /** The 1-minute load average at the start at most this per CPU. */
  loadPerCpu: 0.5,
};

/**
 * Whether a run was quiet enough to publish its figures, from the measureRun() results of its
 * baseline `node -e 0` runs, the 1-minute load average at its start and the number of CPUs:
 * { quiet, reasons (one sentence each), baseline (their summary) }.
 */
export function quietness(baselineRuns, load1, cpuCount) {
  const ms = (v) => `${v.toFixed(1)} ms`;
  const reasons = [];
  const perCpu = load1 / cpuCount;
  if (perCpu > QUIET.loadPerCpu) reasons.push(`the 1-minute load average was ${load1.toFixed(2)} at the start (${perCpu.toFixed(2)} per CPU; a quiet machine is under ${QUIET.loadPerCpu})`);
  if (baselineRuns.length === 0) {
    reasons.push('no `node -e 0` baseline was run (the startup rows were left out), so the quiet of the machine is unknown');
    return { quiet: false, reasons };
  }
  const b = summary(baselineRuns);
  if (b.wallMs > QUIET.spread * b.minWallMs) reasons.push(`\`node -e 0\` varied: median ${ms(b.wallMs)} against a fastest run of ${ms(b.minWallMs)} (more than ${QUIET.spread}×)`);
  if (b.cpuMs !== undefined && b.wallMs > QUIET.waiting * b.cpuMs) {
    reasons.push(`\`node -e 0\` waited for a CPU: median wall ${ms(b.wallMs)} against ${ms(b.cpuMs)} of CPU time (more than ${QUIET.waiting}×)`);
  }
  return { quiet: reasons.length === 0, reasons, baseline: b };
}

/**
 * Runs each of `cmds` `runs` times, interleaved and with the order rotated every round so that
 * drift in the machine's load falls on all alike, after `warmup` unmeasured rounds (page cache,
 * compile cache). A command is an argv, or an async function that prepares a run outside the
 * measurement (state to act on) and resolves with its argv. `after(j)`, when given, runs after
 * every run of command j, also outside the measurement (a check that the run did what it claims).
 * `measure(argv, j)` measures one run of command j. Returns one list of its results per command.
 */
export async function interleaved(measure, cmds, runs, warmup = 2, after = undefined) {
  const once = async (j) => {
    const c = cmds[j];
    const argv = typeof c === 'function' ? await c() : c;
    const m = measure(argv, j);
    if (after) await after(j);
    return m;
  };
  for (let i = 0; i < warmup; i++) for (let j = 0; j < cmds.length; j++) await once(j);
  const out = cmds.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < cmds.length; k++) {
      const j = (i + k) % cmds.length;
      out[j].push(await once(j));
    }
  }
  return out;
}

/** An 18-digit id like Yotta's. */
function newId() {
  return String(randomInt(1, 10)) + String(randomInt(0, 1e9)).padStart(9, '0') + String(randomInt(0, 1e8)).padStart(8, '0');
}

const REGIONS = ['us-east-1', 'us-west-1', 'eu-central-1', 'ap-southeast-1'];
const GPUS = ['NVIDIA_H100_80G', 'NVIDIA_A100_80G', 'NVIDIA_H200_141G', 'NVIDIA_RTX_4090_24G'];

/** The create body of the i-th seeded deployment: a mix of regions, GPU types, modes and sizes. */
export function createBody(i) {
  const gpuCount = [1, 2, 4][i % 3];
  const alb = i % 2 === 0;
  return {
    name: `bench-${String(i).padStart(2, '0')}-${['llama', 'qwen', 'sdxl', 'whisper'][i % 4]}`,
    image: ['vllm/vllm-openai:latest', 'ghcr.io/example/sdxl:1.2', 'nvcr.io/nvidia/tritonserver:24.05-py3'][i % 3],
    resources: [{ region: REGIONS[i % REGIONS.length], gpuType: GPUS[i % GPUS.length], gpuCount }],
    containerVolumeInGb: 50 + 10 * (i % 5),
    workers: 1 + (i % 3),
    serviceMode: alb ? 'ALB' : 'QUEUE',
    initializationCommand: 'python3 -m vllm.entrypoints.openai.api_server --host 0.0.0.0 --port 8000',
    environmentVars: [{ key: 'HF_HOME', value: '/root/.cache/huggingface' }],
    ...(alb ? { expose: { port: 8000, protocol: 'HTTP' } } : {}),
  };
}

/**
 * Starts `yotta sandbox` as a child process on a free port with `statePath`, and resolves once it
 * prints its URL. `env` adds YOTTA_SANDBOX_* settings.
 */
export async function startSandboxChild(root, statePath, env) {
  const child = spawn(NODE, [`${root}/bin/yotta.js`, 'sandbox', '--port', '0', '--state', statePath], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /base URL: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`yotta sandbox exited ${code} before listening:\n${err}`)));
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * Calls the emulator's API (outside any measurement, plain HTTP) and returns `data`. Each call has a
 * connection of its own: between calls this process may sit in spawnSync for longer than the
 * emulator keeps an idle connection, and a pooled one would then be found closed.
 */
export function api(url, key, method, path, body) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/openapi/v1/elastic/deploy${path}`,
      { method, agent: false, headers: { 'X-API-Key': key, ...(text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }) } },
      (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (answer += c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const env = JSON.parse(answer);
            if (env.code !== 10000) reject(new Error(`${method} ${path}: ${env.code} ${env.message}`));
            else resolve(env.data);
          } catch (err) {
            reject(new Error(`${method} ${path}: HTTP ${res.statusCode}, not an envelope: ${err.message}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Creates `count` deployments through the API; every fourth one is then stopped. Returns their ids. */
export async function seedDeployments(url, key, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const d = await api(url, key, 'POST', '/create', createBody(i));
    ids.push(d.id);
    if (i % 4 === 3) await api(url, key, 'POST', `/${d.id}/stop`);
  }
  return ids;
}

/**
 * Writes a state file of `count` deployments cloned (with fresh ids) from the seeded ones in
 * `fromPath`: seeding 10,000 through the API would rewrite the growing state file 10,000 times.
 */
export function writeLargeState(fromPath, toPath, count) {
  const seeded = JSON.parse(readFileSync(fromPath, 'utf8'));
  const deployments = [];
  for (let i = 0; i < count; i++) {
    const d = structuredClone(seeded.deployments[i % seeded.deployments.length]);
    d.id = newId();
    d.name = `${d.name.replace(/^bench-\d+/, 'org')}-${i}`;
    for (const w of d.pods) w.id = newId();
    deployments.push(d);
  }
  writeFileSync(toPath, JSON.stringify({ ...seeded, deployments }));
}

/** Whether openssl is here (the HTTPS rows need it for their test CA). */
export const HAS_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/**
 * Makes a throwaway test CA and a server certificate it signs for IP 127.0.0.1, valid for a day,
 * in `dir`. Returns the files: caFile (for NODE_EXTRA_CA_CERTS), keyFile and certFile (the server's).
 */
export function makeTestCa(dir) {
  const f = (name) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
  };
  run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=yotta benchmark test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('server.ext')]);
  return { caFile: f('ca.pem'), keyFile: f('server.key'), certFile: f('server.pem') };
}

/**
 * Starts test/bench/net-sandbox.mjs as a child process: the emulator bundled from src/sandbox
 * (`bundle`, an ESM file) serving every server of `servers` (see that file), and resolves once all
 * listen. Returns { urls: {name: url}, handshakes(name), close() }.
 */
export async function startNetSandbox(bundle, servers, env) {
  const child = spawn(NODE, [fileURLToPath(new URL('./net-sandbox.mjs', import.meta.url)), pathToFileURL(bundle).href], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const pending = new Map();
  let nextId = 0;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const urls = await new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.ready) resolve(m.ready);
      else if (pending.has(m.id)) {
        pending.get(m.id)(m.value);
        pending.delete(m.id);
      }
    });
    child.on('exit', (code) => reject(new Error(`the benchmark's network sandbox exited ${code} before listening:\n${err}`)));
    child.send({ servers });
  });
  return {
    urls,
    /** TLS handshakes server `name` has completed so far. */
    handshakes: (name) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ id, op: 'handshakes', name });
      }),
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}
