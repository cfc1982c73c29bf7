/**
 * `yotta completion` and `yotta __complete deployments`. The scripts are checked for what they offer,
 * parsed by each shell that is installed, and driven the way each shell drives them (bash through
 * COMP_WORDS, fish through `complete -C`, zsh with its completion builtins stood in for), with a
 * stand-in `yotta` on PATH for the deployment list. The deployment cache is tested against the emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, listWorkers } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { buildModel } from '../../src/completion/model.js';
import { bashScript } from '../../src/completion/bash.js';
import { zshScript } from '../../src/completion/zsh.js';
import { fishScript } from '../../src/completion/fish.js';
import { COMPLETION_CACHE_FILE, COMPLETION_CACHE_TTL_MS, candidateLines } from '../../src/completion/deployments.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { deploymentBody } from '../helpers/fixtures.js';

const LIST = '/openapi/v1/elastic/deploy/list';

/** Whether a shell is installed: the zsh and fish cases need the real shell to parse and run the script. */
function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** A folder with the script and a stand-in `yotta` that logs its arguments and prints two deployments. */
function workspace(shell: string, text: string): { dir: string; file: string; log: string } {
  const dir = tempDir('yotta-completion-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'args.log');
  writeFileSync(
    join(bin, 'yotta'),
    `#!/bin/sh\necho "$@" >> '${log}'\nprintf 'llama-a\\tRUNNING\\nllama-b\\tSTOPPED\\n378888638324150969\\tllama-a, RUNNING\\n'\n`,
  );
  chmodSync(join(bin, 'yotta'), 0o755);
  const file = join(dir, `yotta.${shell}`);
  writeFileSync(file, text);
  return { dir, file, log };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('yotta completion', () => {
  it('each script names every command, subcommand, flag, status and format, and never the hidden command', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const text = await script(shell);
      for (const word of [
        'deploy', 'auth', 'config', 'sandbox', 'gpus', 'completion',
        'create', 'list', 'get', 'update', 'start', 'stop', 'delete', 'scale', 'workers', 'logs', 'wait', 'login', 'logout',
        'initializing', 'running', 'stopping', 'stopped', 'failed',
        'initialize', 'terminating', 'terminated',
        'table', 'wide', 'json', 'yaml',
        'NVIDIA_H100_80G', 'workers=', 'base-url', 'wait-timeout',
      ]) {
        expect(text, `${shell}: ${word}`).toContain(word);
      }
      for (const flag of ['status', 'output', 'json', 'sandbox', 'profile', 'wait-timeout', 'gpu-type', 'for', 'interval', 'file', 'show-env', 'worker', 'tail']) {
        expect(text, `${shell}: --${flag}`).toMatch(shell === 'fish' ? new RegExp(`-l ${flag}\\b`) : new RegExp(`--${flag}\\b`));
      }
      // __complete is only ever called, never offered.
      for (const line of text.split('\n').filter((l) => l.includes('__complete'))) {
        expect(line, shell).toMatch(/__complete (deployments|workers -- |credentials|tasks|"?\$kind)/);
      }
    }
  });

  it('bash: the script parses', async () => {
    const { file } = workspace('bash', await script('bash'));
    run('bash', ['-n', file]);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses', async () => {
    const { file } = workspace('zsh', await script('zsh'));
    run('zsh', ['-n', file]);
  });

  it.skipIf(!has('fish'))('fish: the script parses', async () => {
    const { file } = workspace('fish', await script('fish'));
    run('fish', ['-n', file]);
  });

  it('bash: completes commands, flags, values, lists and deployments as bash asks', async () => {
    const { dir, file, log } = workspace('bash', await script('bash'));
    const cases: Array<[string[], string]> = [
      [['yotta', ''], 'deploy credential task auth config sandbox gpus completion'],
      [['yotta', 'deploy', 'wa'], 'wait'],
      [['yotta', 'deploy', 'ls', '--st'], '--status'],
      [['yotta', 'deploy', 'list', '--status', 'st'], 'stopping stopped'],
      [['yotta', 'deploy', 'list', '--status', 'running,st'], 'running,stopping running,stopped'],
      [['yotta', 'deploy', 'list', '-s', 'FA'], 'FAILED'],
      [['yotta', 'deploy', 'list', '--status', '=', 'ini'], 'initializing'],
      [['yotta', 'deploy', 'workers', 'x', '--status', 'term'], 'terminating terminated'],
      [['yotta', 'deploy', 'get', '-o', 'j'], 'json'],
      [['yotta', 'deploy', 'wait', 'x', '--for', 'w'], 'workers='],
      [['yotta', 'deploy', 'create', '--gpu-type', 'NVIDIA_H1'], 'NVIDIA_H100_PCIe_80G NVIDIA_H100_80G'],
      [['yotta', 'completion', ''], 'bash zsh fish'],
      [['yotta', 'config', 'get', ''], 'base-url output wait-timeout'],
      [['yotta', '--json', 'deploy', 'get', 'll'], 'llama-a llama-b'],
      [['yotta', '--profile', 'prod', 'deploy', 'stop', 'llama-a', ''], 'llama-a llama-b 378888638324150969'],
      [['yotta', 'deploy', 'scale', 'llama-a', ''], ''],
      [['yotta', 'deploy', 'logs', 'llama-a', '--worker', '3788'], '378888638324150969'],
    ];
    const lines = cases.map(
      ([words]) =>
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _yotta; echo "\${COMPREPLY[*]}"`,
    );
    const out = run('bash', ['-c', [`PATH='${join(dir, 'bin')}':$PATH`, `source '${file}'`, ...lines].join('\n')]);
    expect(out.split('\n').slice(0, cases.length)).toEqual(cases.map(([, want]) => want));
    // The deployment list was asked for with the profile typed on the line, never prompting.
    expect(readFileSync(log, 'utf8').split('\n')).toEqual([
      '--no-input --no-color __complete deployments',
      '--profile prod --no-input --no-color __complete deployments',
      '--no-input --no-color __complete workers -- llama-a',
      '',
    ]);
  });

  it.skipIf(!has('fish'))('fish: completes as fish asks, with descriptions', async () => {
    const { dir, file, log } = workspace('fish', await script('fish'));
    const ask = (line: string) => `complete -C '${line}' | string join ' | '`;
    const out = run('fish', [
      '-c',
      [
        `set -x PATH '${join(dir, 'bin')}' $PATH`,
        `source '${file}'`,
        ask('yotta deploy li'),
        ask('yotta deploy list --status running,st'),
        ask('yotta -o '),
        ask('yotta --sandbox deploy get '),
        ask('yotta completion '),
      ].join('\n'),
    ]).split('\n');
    expect(out[0]).toBe('list\tlist deployments');
    expect(out[1]).toMatch(/^running,stopped\t.* \| running,stopping\t/);
    expect(out[2]).toMatch(/^id\toutput format \| json\toutput format \| table\toutput format \| wide\toutput format \| yaml\toutput format$/);
    expect(out[3]).toBe('378888638324150969\tllama-a, RUNNING | llama-a\tRUNNING | llama-b\tSTOPPED');
    expect(out[4]).toBe('bash | fish | zsh');
    expect(readFileSync(log, 'utf8')).toBe('--sandbox --no-input --no-color __complete deployments\n');
  });

  it.skipIf(!has('zsh'))('zsh: the walker offers the right words (zsh completion builtins stood in for)', async () => {
    const { dir, file } = workspace('zsh', await script('zsh'));
    const stubs = [
      'compdef() { :; }',
      'compadd() { local i; for (( i = 1; i <= $#; i++ )); do [[ ${@[i]} == -a ]] && { print -r -- "${(P)@[i+1]}"; return; }; done }',
      '_describe() { print -r -- "${(j: :)${(@)${(P)4}%%:*}}" }',
      '_files() { print -r -- FILES }',
      'compset() { : }',
    ];
    const ask = (words: string[]) => `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _yotta`;
    const out = run('zsh', [
      '-f',
      '-c',
      [
        `path=('${join(dir, 'bin')}' $path)`,
        ...stubs,
        `source '${file}'`,
        ask(['yotta', '']),
        ask(['yotta', 'deploy', 'list', '--status', '']),
        ask(['yotta', 'deploy', 'list', '--status=r']),
        ask(['yotta', 'deploy', 'get', '']),
        ask(['yotta', 'deploy', 'update', '-f', '']),
        ask(['yotta', 'deploy', '']),
      ].join('\n'),
    ]).split('\n');
    expect(out[0]).toBe('deploy credential task auth config sandbox gpus completion');
    expect(out[1]).toBe('initializing running stopping stopped failed');
    expect(out[2]).toBe('initializing running stopping stopped failed');
    expect(out[3]).toBe('llama-a llama-b 378888638324150969');
    expect(out[4]).toBe('FILES');
    expect(out[5]).toBe('init create list get update start stop delete scale workers logs wait apply diff call');
  });

  it('follows the program: a new command, flag and choice appear without editing the generators', () => {
    const program = new Command('yotta').option('--json', 'print JSON');
    const group = program.command('tunnel').description('manage tunnels');
    group
      .command('open')
      .summary('open a tunnel')
      .argument('<id|name>', 'deployment')
      .addOption(new Option('--proto <p>', 'protocol').choices(['tcp', 'udp']));
    program.command('secret', { hidden: true });
    const model = buildModel(program);
    const bash = bashScript(model, '1.0.0');
    expect(bash).toContain(`'|tunnel') REPLY=tunnel ;;`);
    expect(bash).toContain(`'tunnel open|--proto') REPLY='words tcp udp' ;;`);
    expect(bash).toContain(`'tunnel open|0') REPLY='deployments' ;;`);
    expect(bash).not.toContain('secret');
    expect(zshScript(model, '1.0.0')).toContain(`'open:open a tunnel'`);
    expect(fishScript(model, '1.0.0')).toContain(`complete -c yotta -n '__yotta_at "tunnel open"' -l proto -x -a 'tcp udp' -d 'protocol'`);
  });

  it('refuses a shell it does not know: exit 2', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('powershell');
  });

  it('help says how to install each script; __complete is hidden from help', async () => {
    const r = await runCli(['completion', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source <(yotta completion bash)');
    expect(r.stdout).toContain('yotta completion fish > ~/.config/fish/completions/yotta.fish');
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/^ {2}completion\s.*print a shell completion script/m);
    expect(top.stdout).not.toContain('__complete');
  });
});

const body = (name: string): CreateDeploymentRequest =>
  deploymentBody(name, { workers: 1, initializationCommand: 'sleep infinity' });

describe('yotta __complete deployments', () => {
  let sb: Sandbox;
  let client: ApiClient;
  let env: Record<string, string>;
  let home: string;
  let t: number;
  let a: ElasticDeploymentDetail;
  let b: ElasticDeploymentDetail;
  const complete = (args: string[] = [], extra: Record<string, string> = {}) =>
    runCli([...args, '__complete', 'deployments'], { env: { ...env, ...extra }, homeDir: home, now: () => t });
  const lists = () => sb.requests.filter((q) => q.method === 'GET' && q.path === LIST).length;
  const cacheFile = () => join(home, '.config', 'yotta', COMPLETION_CACHE_FILE);

  beforeEach(async () => {
    t = Date.parse('2025-06-01T12:00:00Z');
    sb = await startSandbox({ now: () => t, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
    env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
    home = tempDir('yotta-home-');
    a = await createDeployment(client, body('llama-a'));
    b = await createDeployment(client, body('llama-b'));
    sb.requests.length = 0;
  });

  afterEach(async () => {
    await client.close();
    await sb.close();
  });

  it('lists names then ids, value<TAB>description, with one request; then serves the cache for a minute', async () => {
    const first = await complete();
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`llama-a\tRUNNING\nllama-b\tRUNNING\n${a.id}\tllama-a, RUNNING\n${b.id}\tllama-b, RUNNING\n`);
    expect(lists()).toBe(1);
    // The cache: readable by the user only, and without the API key.
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(cacheFile(), 'utf8')).not.toContain(sb.apiKey);

    await createDeployment(client, body('llama-c'));
    sb.requests.length = 0;
    t += COMPLETION_CACHE_TTL_MS - 1000;
    const cached = await complete();
    expect(cached.stdout).toBe(first.stdout);
    expect(sb.requests).toHaveLength(0);

    t += 2000;
    const fresh = await complete();
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('llama-c\tRUNNING\n');
    expect(lists()).toBe(1);
  });

  it('a cache from another profile or key is not used (the file keeps the last list asked for)', async () => {
    await complete();
    await complete(['--profile', 'other']);
    expect(lists()).toBe(2);
    await complete();
    expect(lists()).toBe(3);
    // Another key asks again (and, rejected here, offers nothing and leaves the cache alone).
    const other = await complete([], { YOTTA_API_KEY: 'another-key-1234' });
    expect(other).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(lists()).toBe(4);
    await complete();
    expect(lists()).toBe(4);
  });

  it('a cache that is corrupt, or from a clock that went back, is replaced', async () => {
    mkdirSync(join(home, '.config', 'yotta'), { recursive: true });
    writeFileSync(cacheFile(), '{ not json');
    const r = await complete();
    expect(r.stdout).toContain('llama-a');
    expect(lists()).toBe(1);
    t -= 10_000;
    await complete();
    expect(lists()).toBe(2);
  });

  it('without an API key: nothing printed, nothing sent, exit 0', async () => {
    const r = await runCli(['__complete', 'deployments'], { env: { YOTTA_BASE_URL: sb.url }, homeDir: home, now: () => t });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(sb.requests).toHaveLength(0);
  });

  it('when the API fails: nothing printed, nothing cached, exit 0', async () => {
    sb.addFault({ kind: 'status', status: 503, times: 10, match: { path: LIST } });
    const r = await complete();
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(cacheFile())).toBe(false);
    const rejected = await complete([], { YOTTA_API_KEY: 'wrong-key' });
    expect(rejected).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('gives up silently after about 2 s when the API is slow', async () => {
    sb.addFault({ kind: 'latency', ms: 8000, times: 10, match: { path: LIST } });
    const started = Date.now();
    const r = await complete();
    const took = Date.now() - started;
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(5000);
  });

  it('is hidden and takes only known kinds', async () => {
    const r = await runCli(['__complete', 'everything'], { env, homeDir: home });
    expect(r.code).toBe(2);
    expect(sb.requests).toHaveLength(0);
  });
});

describe('yotta __complete workers', () => {
  it("lists the worker ids of the deployment named, with their status; nothing for one that does not exist", async () => {
    const sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
    try {
      const env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
      const d = await createDeployment(client, body('llama-a'));
      const workers = await listWorkers(client, d.id);
      const r = await runCli(['__complete', 'workers', 'llama-a'], { env });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(workers.map((w) => `${w.id}\tRUNNING`).sort());
      const none = await runCli(['__complete', 'workers', 'nope'], { env });
      expect(none).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      await client.close();
      await sb.close();
    }
  });
});

describe('candidateLines', () => {
  it('leaves out anything a shell could take for code, and marks names shared by several deployments', () => {
    const lines = candidateLines([
      { id: '378888638324150969', name: 'ok-name', status: 'RUNNING' },
      { id: '378888638324150970', name: '$(touch /tmp/pwned)', status: 'RUNNING' },
      { id: '1; rm -rf ~', name: 'twin', status: 'STOPPED' },
      { id: '378888638324150971', name: 'twin', status: 'bad status\n' },
    ]);
    expect(lines).toEqual([
      'ok-name\tRUNNING',
      'twin\t2 deployments with this name',
      '378888638324150969\tok-name, RUNNING',
      '378888638324150970\tRUNNING',
      '378888638324150971\ttwin',
    ]);
  });
});
