/**
 * What a new user meets in the first hour (issue 13), each through main() against the emulator:
 * hints that lead somewhere, help that explains the flags its examples use, names and aliases that
 * work as a gh or kubectl user expects, teardown that can run twice, a sandbox that starts over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import { runCli, tempDir, testContext } from '../helpers/cli.js';
import { main } from '../../src/main.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { ROOT } from '../helpers/built-cli.js';

const BASE = '/openapi/v1/elastic/deploy';
let t: TestSandbox | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function sandbox(o: SandboxOptions = {}): Promise<TestSandbox> {
  t = await startTestSandbox(o);
  return t;
}

const calls = (s: TestSandbox) => s.sb.requests.filter((q) => q.headers['user-agent'] !== 'test').map((q) => `${q.method} ${q.path}`);

describe('hints that lead somewhere', () => {
  it('a key from YOTTA_API_KEY that is rejected: fix or unset the variable (a stored key would not be used)', async () => {
    const s = await sandbox();
    const r = await runCli(['deploy', 'list'], { env: { ...s.env, YOTTA_API_KEY: 'wrong-key-0123456789' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('The key comes from YOTTA_API_KEY, which wins over any stored key: correct or unset that variable');
    expect(r.stderr).not.toContain('store a new one');
  });

  it('24003 (deployment limit) says what to delete or whom to ask; 24009 (no GPUs) suggests regions, GPU types or fewer workers', async () => {
    let s = await sandbox({ deploymentLimit: 0 });
    const limit = await runCli(['deploy', 'create', '--name', 'x1', '--image', 'a/b', '--region', 'us-east-1', '--gpu-type', 'NVIDIA_H100_80G', '--workers', '1', '--volume', '10', '--service-mode', 'custom', '--init-cmd', 'serve'], { env: s.env });
    expect(limit.code).toBe(6);
    expect(limit.stderr).toMatch(/deployment limit: delete deployments it no longer needs .*or ask Yotta for a higher limit/);
    await s.close();
    s = await sandbox({ gpuCapacity: { '*': 0 } });
    const gpus = await runCli(['deploy', 'create', '--name', 'x2', '--image', 'a/b', '--region', 'us-east-1', '--gpu-type', 'NVIDIA_H100_80G', '--workers', '1', '--volume', '10', '--service-mode', 'custom', '--init-cmd', 'serve', '--json'], { env: s.env });
    expect(gpus.code).toBe(6);
    // (A warning line may come first: the sandbox warns of what Yotta's newer docs forbid.)
    const error = gpus.stderr.trim().split('\n').at(-1)!;
    expect((JSON.parse(error) as { error: { hint: string } }).error.hint).toMatch(/try other regions or GPU types .*or fewer workers/);
  });

  it('10002 (system error): a read is safe to retry, a write is to be checked first', async () => {
    const s = await sandbox({ faults: [{ match: { method: 'GET', path: '/list' }, kind: 'envelope', code: 10002, times: 5 }] });
    const read = await runCli(['deploy', 'list'], { env: s.env });
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('a read is safe to retry');
    await s.close();
    const w = await sandbox({ faults: [{ match: { method: 'POST', path: '/workers' }, kind: 'envelope', code: 10002, times: 5 }] });
    const d = await createDeployment(w.client, deploymentBody('llama'));
    const write = await runCli(['deploy', 'scale', d.id, '3'], { env: w.env });
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('the change may or may not have been applied: check');
  });

  it('waiting for a STOPPED deployment to run ends with exit 5 and how to start it, not a timeout saying it may still get there', async () => {
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama'));
    await stopDeployment(s.client, d.id);
    const r = await runCli(['deploy', 'wait', d.id, '--for', 'running'], { env: s.env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Error: llama (${d.id}) is STOPPED, so it will not be running by itself`);
    expect(r.stderr).toContain(`Start it with: yotta deploy start ${d.id} --wait`);
    expect(r.stderr).not.toContain('may still get there');
  });

  it('a turned-FAILED wait points at the logs of its FAILED worker', async () => {
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama', { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] }));
    const r = await runCli(['deploy', 'wait', d.id], { env: s.env });
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(new RegExp(`See why with: yotta deploy logs ${d.id} --worker \\S+ --tail 50`));
  });
});

describe('profiles', () => {
  it('a --profile that no file has: "no profile named X", listing the profiles, exit 2', async () => {
    const home = tempDir();
    const s = await sandbox();
    const stored = await runCli(['--profile', 'staging', 'auth', 'login', '--with-token'], { env: { YOTTA_BASE_URL: s.sb.url }, stdin: s.sb.apiKey, homeDir: home });
    expect(stored.code).toBe(0);
    const r = await runCli(['--profile', 'stagign', 'deploy', 'list'], { env: { YOTTA_BASE_URL: s.sb.url }, homeDir: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: no profile named "stagign"; profiles: default, staging');
    expect(r.stderr).toContain('yotta --profile stagign auth login');
    expect(calls(s).filter((c) => c.startsWith('GET /openapi'))).toHaveLength(1);
  });

  it('auth status with the API unreachable still shows the profile, the key source and the base URL', async () => {
    const r = await runCli(['auth', 'status', '--timeout', '200ms'], {
      env: { YOTTA_API_KEY: 'yk-abcdefgh12345678', YOTTA_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(7);
    expect(r.stdout).toMatch(/^Profile:\s+default$/m);
    expect(r.stdout).toMatch(/^API key:\s+\S+\s+\(from environment variable YOTTA_API_KEY\)$/m);
    expect(r.stdout).toMatch(/^Base URL:\s+http:\/\/127\.0\.0\.1:9/m);
    expect(r.stdout).toMatch(/^API:\s+not checked$/m);
  });

  it('the profile output applies to gpus too', async () => {
    const home = tempDir();
    expect((await runCli(['config', 'set', 'output', 'json'], { homeDir: home })).code).toBe(0);
    const r = await runCli(['gpus'], { homeDir: home });
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });
});

describe('help', () => {
  it('the root help fits 80 columns, examples included (commander wraps the rest)', async () => {
    const { ctx, stdout } = testContext();
    stdout.columns = 80;
    expect(await main(['--help'], ctx)).toBe(0);
    const long = stdout.text.split('\n').filter((l) => l.length > 80);
    expect(long).toEqual([]);
  });

  it('a subcommand lists the global flags it inherits, without --version', async () => {
    const r = await runCli(['deploy', 'list', '--help']);
    const inherited = r.stdout.split('Global Options:')[1] ?? '';
    for (const flag of ['-o, --output <format>', '--json', '--profile <name>', '--sandbox', '-q, --quiet']) expect(inherited).toContain(flag);
    expect(inherited).not.toContain('--version');
  });

  it('update --help does not list the flags update always refuses; they are still refused with the reason', async () => {
    const r = await runCli(['deploy', 'update', '--help']);
    for (const flag of ['--image <', '--image-registry', '--service-mode']) expect(r.stdout).not.toContain(flag);
    expect(r.stdout).toContain('--workers <n>');
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama'));
    await stopDeployment(s.client, d.id);
    const refused = await runCli(['deploy', 'update', d.id, '--image', 'other/image:1'], { env: s.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/image cannot be changed by update/);
  });

  it('--debug trace lines keep the error apart from the time and attempt', async () => {
    const s = await sandbox({ faults: [{ match: { method: 'GET' }, kind: 'latency', ms: 500, times: 5 }] });
    const r = await runCli(['deploy', 'list', '--debug', '--timeout', '100ms'], { env: s.env });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/raise it with --timeout \(\d+ms, attempt 1\)/);
  });
});

describe('names, aliases, statuses', () => {
  it('rm is delete; workers --status takes INITIALIZING for INITIALIZE', async () => {
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama'));
    const w = await runCli(['deploy', 'workers', d.id, '--status', 'initializing', '--json'], { env: s.env });
    expect(w.code).toBe(0);
    // Sent as the API's own word.
    const sent = s.sb.requests.filter((q) => q.headers['user-agent'] !== 'test' && q.path.includes('/workers'));
    expect(sent.map((q) => q.query.statusList)).toEqual([['INITIALIZE']]);
    await stopDeployment(s.client, d.id);
    const r = await runCli(['deploy', 'rm', d.id, '--yes'], { env: s.env });
    expect(r.code).toBe(0);
    expect(calls(s)).toContain(`DELETE ${BASE}/${d.id}`);
  });

  it('scale to the count it has sends nothing and reports changed: false, as start and stop do', async () => {
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama'));
    const r = await runCli(['deploy', 'scale', d.id, '2', '--json'], { env: s.env });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { changed: boolean }[])[0]!.changed).toBe(false);
    expect(calls(s).filter((c) => c.startsWith('POST'))).toEqual([]);
  });
});

describe('deploy wait --timeout and delete --wait-timeout', () => {
  it('deploy wait takes --wait-timeout; --timeout still works, with a one-line notice', async () => {
    const s = await sandbox();
    const d = await createDeployment(s.client, deploymentBody('llama'));
    await stopDeployment(s.client, d.id);
    const now = await runCli(['deploy', 'wait', d.id, '--for', 'stopped', '--wait-timeout', '5m'], { env: s.env });
    expect(now.code).toBe(0);
    expect(now.stderr).not.toContain('deprecated');
    const old = await runCli(['deploy', 'wait', d.id, '--for', 'stopped', '--timeout', '5m'], { env: s.env });
    expect(old.code).toBe(0);
    expect(old.stderr.split('\n').filter((l) => l.includes('deprecated'))).toEqual([
      'Notice: `deploy wait --timeout` is deprecated; use --wait-timeout (the limit of every wait).',
    ]);
  });

  it('deploy wait with both: --wait-timeout is the wait, --timeout each request (no notice)', async () => {
    const s = await sandbox({ faults: [{ match: { method: 'GET' }, kind: 'latency', ms: 500, times: 5 }] });
    const r = await runCli(['deploy', 'wait', '378888638324150969', '--wait-timeout', '5m', '--timeout', '100ms'], { env: s.env });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('timed out after 100ms');
    expect(r.stderr).not.toContain('deprecated');
  });

  it('delete takes --wait-timeout only with --force (exit 2, nothing sent)', async () => {
    const s = await sandbox();
    const r = await runCli(['deploy', 'delete', '378888638324150969', '--yes', '--wait-timeout', '5m'], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait-timeout is how long --force waits');
    expect(calls(s)).toEqual([]);
  });
});

describe('teardown that can run twice', () => {
  it('delete --all --yes leaves RUNNING deployments alone (reported, nothing sent) and deletes the STOPPED ones', async () => {
    const s = await sandbox();
    const a = await createDeployment(s.client, deploymentBody('a'));
    const b = await createDeployment(s.client, deploymentBody('b'));
    await stopDeployment(s.client, b.id);
    const r = await runCli(['deploy', 'delete', '--all', '--yes'], { env: s.env });
    expect(r.code).toBe(10);
    expect(r.stderr).toContain(`a (${a.id}) is RUNNING; only a STOPPED deployment can be deleted, so nothing was sent`);
    expect(calls(s).filter((c) => c.startsWith('DELETE'))).toEqual([`DELETE ${BASE}/${b.id}`]);
  });

  it('--ignore-not-found: a deployment already gone is not an error', async () => {
    const s = await sandbox();
    const r = await runCli(['deploy', 'delete', 'llama', '--yes', '--ignore-not-found', '--json'], { env: s.env });
    expect(r.code).toBe(0);
    expect(calls(s).filter((c) => c.startsWith('DELETE'))).toEqual([]);
    const without = await runCli(['deploy', 'delete', 'llama', '--yes'], { env: s.env });
    expect(without.code).toBe(4);
  });
});

describe('starting over and starting out', () => {
  it('yotta sandbox reset empties the --sandbox state; the Quick start (apply) can run again', async () => {
    const home = tempDir();
    const env = { YOTTA_SANDBOX_WORKER_START_MS: '0', YOTTA_SANDBOX_STOP_MS: '0', YOTTA_SANDBOX_TERMINATE_MS: '0' };
    const quick = ['--sandbox', 'deploy', 'apply', '-f', join(ROOT, 'deploy.example.yaml'), '--wait'];
    expect((await runCli(quick, { env, homeDir: home })).code).toBe(0);
    const again = await runCli(quick, { env, homeDir: home });
    expect(again.code).toBe(0);
    const listed = await runCli(['--sandbox', 'deploy', 'list', '-o', 'id'], { env, homeDir: home });
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    const create = await runCli(['--sandbox', 'deploy', 'create', '-f', join(ROOT, 'deploy.example.yaml')], { env, homeDir: home });
    expect(create.code).toBe(5);
    const reset = await runCli(['sandbox', 'reset'], { homeDir: home });
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/^Sandbox reset: deleted .*sandbox-state\.json\.$/m);
    const empty = await runCli(['--sandbox', 'deploy', 'list', '-o', 'id'], { env, homeDir: home });
    expect(empty.stdout).toBe('');
  });

  it('deploy init writes a commented starter spec that create --dry-run accepts, and never overwrites without --force', async () => {
    const dir = tempDir();
    const r = await runCli(['deploy', 'init', 'qwen', '--image', 'vllm/vllm-openai:v0.6.0', '--gpu-type', 'NVIDIA_L40S'], { cwd: dir });
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'deploy.yaml'), 'utf8');
    expect(text).toMatch(/^# /m);
    expect(parseYaml(text)).toMatchObject({ name: 'qwen', image: 'vllm/vllm-openai:v0.6.0', resources: [{ gpuType: 'NVIDIA_L40S' }] });
    const dry = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    const again = await runCli(['deploy', 'init', 'other'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(readFileSync(join(dir, 'deploy.yaml'), 'utf8')).toBe(text);
    expect((await runCli(['deploy', 'init', 'other', '--force'], { cwd: dir })).code).toBe(0);
    const printed = await runCli(['deploy', 'init', '-f', '-'], { cwd: dir });
    expect(parseYaml(printed.stdout)).toMatchObject({ name: 'my-deployment' });
    const bad = await runCli(['deploy', 'init', '1bad'], { cwd: tempDir() });
    expect(bad.code).toBe(2);
  });

  it('an old Node is refused by npm before anything is built (engine-strict), and prepare checks it before building', () => {
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; engines: { node: string } };
    expect(pkg.scripts.prepare).toMatch(/^node bin\/yotta\.js --version > \/dev\/null && node esbuild\.config\.mjs$/);
    expect(readFileSync(join(ROOT, 'bin', 'yotta.js'), 'utf8')).toContain(`const NEEDED = [${pkg.engines.node.replace('>=', '').split('.').join(', ')}]`);
  });
});
