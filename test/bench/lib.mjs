/* global fetch, structuredClone */
// Measuring child processes for the benchmark: wall time of one run, peak RSS through
// /usr/bin/time -v, medians, and the emulator as a child process seeded with deployments.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** The one Node binary every measured process uses (the harness's own). */
export const NODE = process.execPath;

/** GNU time, for peak RSS; undefined when this machine has none (RSS is then reported as n/a). */
export const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p) && spawnSync(p, ['-v', 'true']).status === 0);

const devNull = openSync('/dev/null', 'w');

/**
 * Runs `cmd` once with stdout on /dev/null (not a TTY) and returns its wall time in ms, from spawn
 * to exit as seen by this process. Throws with the child's stderr when it exits non-zero.
 */
export function timeRun(cmd, env) {
  const started = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', devNull, 'pipe'], env, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return ms;
}

/** Peak RSS in KiB of one run of `cmd` (stdout on /dev/null), from GNU time; undefined without it. */
export function rssRun(cmd, env) {
  if (!GNU_TIME) return undefined;
  const r = spawnSync(GNU_TIME, ['-v', ...cmd], { stdio: ['ignore', devNull, 'pipe'], env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : undefined;
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

/**
 * Runs each of `cmds` `runs` times, interleaved and with the order rotated every round so that
 * drift in the machine's load falls on all alike, after `warmup` unmeasured rounds (page cache,
 * compile cache). Returns one list of measurements per command.
 */
export function interleaved(measure, cmds, runs, warmup = 2) {
  for (let i = 0; i < warmup; i++) for (const c of cmds) measure(c);
  const out = cmds.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < cmds.length; k++) {
      const j = (i + k) % cmds.length;
      out[j].push(measure(cmds[j]));
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
function createBody(i) {
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

/** Calls the emulator's API (outside any measurement) and returns `data`. */
export async function api(url, key, method, path, body) {
  const res = await fetch(`${url}/openapi/v1/elastic/deploy${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const env = await res.json();
  if (env.code !== 10000) throw new Error(`${method} ${path}: ${env.code} ${env.message}`);
  return env.data;
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
