/**
 * Executable documentation: every `yotta …` line of README.md and every line of every command's
 * `--help` Examples runs, as a shell runs it (bash, with pipes, redirections and `$(...)`), with
 * `yotta` being the built CLI, against a fresh emulator per block seeded with the deployments the
 * examples name. An example that fails is a failing test.
 *
 * Lines of one block (a README code block, one command's Examples) run in order on one state, as a
 * reader would type them. What cannot run as written is listed below with the reason: rewritten into
 * a form that ends (REWRITES), or skipped (SKIPPED). Nothing else is left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/main.js';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import { submitTask } from '../../src/api/tasks.js';
import { createCredential } from '../../src/api/credentials.js';
import { ApiClient } from '../../src/api/client.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { defaultSandboxStatePath } from '../../src/sandbox/paths.js';
import { testContext, tempDir } from '../helpers/cli.js';
import { buildCli, ROOT } from '../helpers/built-cli.js';
import { startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';
import { deploymentBody } from '../helpers/fixtures.js';
import type { DocExample } from './extract.js';
import { helpExamples, readmeExamples } from './extract.js';

/** The ids examples use as placeholders, and the seeded deployment each stands for. */
const PLACEHOLDER_IDS: Record<string, string> = { '378888638324150969': 'llama-3-8b', '378888638324150970': 'mistral-7b' };

/** Lines that are not run, each with why. Matched against the whole line as documented. */
const SKIPPED: { match: RegExp; reason: string }[] = [
  { match: /^yotta deploy delete llama-3-8b$/, reason: 'asks "Delete llama-3-8b?" on a terminal; the --yes forms of the same command run' },
  { match: /^yotta sandbox --port 8787/, reason: 'serves a fixed port until Ctrl-C; `yotta sandbox --state … --delay 0` runs the same command, on any free port, interrupted after 2 s' },
  { match: /^export YOTTA_BASE_URL=/, reason: 'points another terminal at the served sandbox; every line here already runs against one' },
];

/** Rewrites that turn a documented line into one that ends here, each with why. */
const REWRITES: { from: RegExp; to: string; reason: string }[] = [
  { from: /\bauth login\s*(#.*)?$/, to: 'auth login --with-token < key.txt', reason: 'asks for the key with hidden input on a terminal: given on stdin instead' },
  { from: /^npm ci && /, to: '', reason: 'installing is what the test suite already ran' },
  { from: /\bnode bin\/yotta\.js\b/g, to: 'yotta', reason: 'the launcher of this clone is the `yotta` on PATH here' },
  { from: /--base-url https:\/\/staging\.example\.com/g, to: '--base-url "$SANDBOX_URL"', reason: 'another host: pointed at the sandbox instead' },
  { from: /--worker 401234567890123456/g, to: '--worker "$(yotta deploy workers 378888638324150969 -o id | head -n 1)"', reason: 'a worker id is new on every start: the seeded deployment\'s first worker instead' },
  { from: /--base-url http:\/\/127\.0\.0\.1:8080/g, to: '--base-url "$SANDBOX_URL"', reason: 'a local server that is not running: pointed at the sandbox instead' },
];

/** Commands that never end by themselves: run for 2 s, then interrupted as Ctrl-C would (exit 0 expected). */
const ENDLESS = /(^|\s)(--watch|--follow|-w)(\s|$)|yotta sandbox(\s|$)(?!reset)|deploy logs\b.*\s-f(\s|$)/;

const { ctx, stdout } = testContext();
const program: Command = await buildProgram(ctx);
/** Every documented example: README.md first, then every command's help, depth first. */
const EXAMPLES: DocExample[] = [
  ...readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8')),
  ...helpExamples(program, (cmd) => {
    stdout.chunks = [];
    cmd.outputHelp();
    return stdout.text;
  }),
];
const HAS_JQ = spawnSync('jq', ['--version']).status === 0;

/** The line as it is run, or why it is not. */
function prepare(line: string): { run: string } | { skip: string } {
  const skipped = SKIPPED.find((s) => s.match.test(line));
  if (skipped) return { skip: skipped.reason };
  if (!HAS_JQ && /\|\s*jq\b/.test(line)) return { skip: 'jq is not installed on this machine' };
  let run = line;
  for (const r of REWRITES) run = run.replace(r.from, r.to);
  return { run };
}

/** A deployment spec of one resource, as README's "The spec file" shows, named `name`. */
function specNamed(name: string): string {
  return `---
name: ${name}
image: vllm/vllm-openai:latest
resources:
  - { region: us-east-1, gpuType: NVIDIA_H100_80G, gpuCount: 1 }
containerVolumeInGb: 100
workers: 2
serviceMode: ALB
initializationCommand: vllm serve meta-llama/Meta-Llama-3-8B-Instruct --port 8000
environmentVars:
  HF_HOME: /data
  HF_TOKEN: \${HF_TOKEN}
expose: { port: 8000, protocol: HTTP }
`;
}

interface World {
  sb: TestSandbox;
  cwd: string;
  home: string;
  bin: string;
  ids: Record<string, string>;
}

/** A fresh emulator with the deployments examples name, and a folder with the files they read. */
async function makeWorld(build: string, lines: readonly string[]): Promise<World> {
  const sb = await startTestSandbox();
  const a = await createDeployment(sb.client, deploymentBody('llama-3-8b', { serviceMode: 'ALB', expose: { port: 8000, protocol: 'HTTP' } }));
  const b = await createDeployment(sb.client, deploymentBody('mistral-7b', { image: 'vllm/vllm-openai:v0.6.0' }));
  // mistral-7b is STOPPED, so that `--all --status stopped` examples have something to act on, and
  // broken FAILED, for `--status failed`.
  await stopDeployment(sb.client, b.id);
  await createDeployment(sb.client, deploymentBody('broken', { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] }));
  // The QUEUE and ALB deployments the task and call examples use, RUNNING, with one task done.
  if (lines.some((l) => /\bmy-(queue|alb)\b/.test(l))) {
    const queue = await createDeployment(sb.client, deploymentBody('my-queue', { serviceMode: 'QUEUE', expose: { port: 8000, protocol: 'HTTP' } }));
    await createDeployment(sb.client, deploymentBody('my-alb', { serviceMode: 'ALB', expose: { port: 8000, protocol: 'HTTP' } }));
    await submitTask(sb.client, queue.id, { input: { prompt: 'seeded' }, workerPort: 8000, processUri: '/v1/completions' });
  }
  const ids: Record<string, string> = {};
  for (const [placeholder, name] of Object.entries(PLACEHOLDER_IDS)) ids[placeholder] = name === 'llama-3-8b' ? a.id : b.id;

  const cwd = tempDir('yotta-docs-cwd-');
  const home = tempDir('yotta-docs-home-');
  const bin = tempDir('yotta-docs-bin-');
  copyFileSync(join(ROOT, 'deploy.example.yaml'), join(cwd, 'deploy.example.yaml'));
  // deploy.yaml is "your" spec: a deployment not created yet.
  writeFileSync(join(cwd, 'deploy.yaml'), specNamed('my-model'));
  writeFileSync(join(cwd, 'key.txt'), `${sb.sb.apiKey}\n`);
  // Registry secrets the credential examples read.
  writeFileSync(join(cwd, 'token.txt'), 'docs-registry-token\n');
  writeFileSync(join(cwd, 'new-token.txt'), 'docs-registry-token-2\n');
  writeFileSync(join(cwd, 'key.json'), '{\n  "type": "service_account",\n  "private_key": "docs"\n}\n');
  // The credentials the examples name, in the state of `yotta --sandbox` (it runs its own emulator).
  if (lines.some((l) => /--sandbox credential (get|update|delete)|--credential acme-registry --dry-run/.test(l))) {
    const local = await startSandbox({ statePath: defaultSandboxStatePath({ env: { YOTTA_CONFIG_DIR: join(home, '.config', 'yotta') }, homeDir: home, cwd }) });
    const client = new ApiClient({ baseUrl: local.url, apiKey: local.apiKey, userAgent: 'docs-test' });
    try {
      for (const [name, type] of [['acme-registry', 'PRIVATE'], ['old-hub', 'DOCKER_HUB'], ['old-gcr', 'GCR']] as const) {
        // A block that creates the credential itself gets no second one of that name.
        if (lines.some((l) => l.includes(`credential create ${name} `))) continue;
        await createCredential(client, { name, type, username: 'robot', password: 'docs-registry-token' });
      }
    } finally {
      await client.close();
      await local.close();
    }
  }
  // A script that writes a spec, as `./make-spec.sh | yotta deploy create -f -` imagines one.
  writeFileSync(join(cwd, 'make-spec.sh'), `#!/bin/sh\nsed 's/^name: .*/name: generated-model/' deploy.yaml\n`);
  chmodSync(join(cwd, 'make-spec.sh'), 0o755);
  mkdirSync(join(cwd, 'stack'));
  writeFileSync(join(cwd, 'stack', 'a.yaml'), specNamed('stack-a'));
  writeFileSync(join(cwd, 'stack', 'b.yaml'), specNamed('stack-b'));
  for (const dir of ['.config/fish/completions', '.local/share/bash-completion/completions', '.zfunc']) mkdirSync(join(home, dir), { recursive: true });
  // `yotta` is the built CLI; the editor of `vi llama.yaml` leaves the file as it is.
  // With YOTTA_DOCS_INTERRUPT set (lines that never end), yotta alone gets Ctrl-C after 2 s; the
  // rest of the line (jq) then sees the end of its input, as in a terminal.
  const cli = `"${process.execPath}" "${join(build, 'bin', 'yotta.js')}" "$@"`;
  writeFileSync(
    join(bin, 'yotta'),
    `#!/bin/sh\nif [ -n "$YOTTA_DOCS_INTERRUPT" ]; then exec timeout --foreground --preserve-status -s INT 2 ${cli}; fi\nexec ${cli}\n`,
  );
  writeFileSync(join(bin, 'vi'), '#!/bin/sh\nexit 0\n');
  for (const f of ['yotta', 'vi']) chmodSync(join(bin, f), 0o755);
  return { sb, cwd, home, bin, ids };
}

interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a line in bash (pipefail: a failing yotta in a pipe fails the line) in the world's folder. */
function runLine(w: World, line: string): Promise<ShellResult> {
  let script = line;
  for (const [placeholder, id] of Object.entries(w.ids)) script = script.replaceAll(placeholder, id);
  const endless = ENDLESS.test(line);
  const prelude = 'set -o pipefail; fpath=("$HOME/.zfunc" "$HOME/.zfunc"); ';
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', prelude + script], {
      cwd: w.cwd,
      env: {
        PATH: `${w.bin}:${process.env.PATH ?? ''}`,
        HOME: w.home,
        YOTTA_CONFIG_DIR: join(w.home, '.config', 'yotta'),
        YOTTA_BASE_URL: w.sb.sb.url,
        YOTTA_API_KEY: w.sb.sb.apiKey,
        SANDBOX_URL: w.sb.sb.url,
        ...(endless ? { YOTTA_DOCS_INTERRUPT: '1' } : {}),
        HF_TOKEN: 'hf_docs_example_token',
        REGISTRY_TOKEN: 'docs-registry-token',
        // `yotta --sandbox …` runs its own emulator: transitions immediate, as in the served one.
        YOTTA_SANDBOX_WORKER_START_MS: '0',
        YOTTA_SANDBOX_STOP_MS: '0',
        YOTTA_SANDBOX_TERMINATE_MS: '0',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The exit codes a documented line may end with: `diff` alone reports differences with 1. */
function allowedCodes(line: string): number[] {
  return /^yotta deploy diff\b[^&]*$/.test(line) ? [0, 1] : [0];
}

const blocks = new Map<string, DocExample[]>();
for (const e of EXAMPLES) blocks.set(e.block, [...(blocks.get(e.block) ?? []), e]);

describe('executable documentation', () => {
  it('finds the examples of README.md and of every command with subcommands walked', () => {
    const sources = new Set(EXAMPLES.map((e) => e.source.replace(/:\d+$/, '')));
    expect(sources).toContain('README.md');
    expect(sources).toContain('yotta deploy list --help');
    expect(sources).toContain('yotta auth login --help');
    // Every command but the hidden completion helper documents at least one example.
    const without = [...program.commands.flatMap((c) => [c, ...c.commands])]
      .filter((c) => !c.name().startsWith('__'))
      .map((c) => (c.parent && c.parent !== program ? `yotta ${c.parent.name()} ${c.name()}` : `yotta ${c.name()}`))
      .filter((name) => !sources.has(`${name} --help`));
    expect(without).toEqual([]);
  });

  it('skips only what is listed, each with a reason', () => {
    const skipped = EXAMPLES.map((e) => ({ e, p: prepare(e.line) })).filter((x) => 'skip' in x.p);
    for (const { p } of skipped) expect('skip' in p && p.skip.length).toBeGreaterThan(10);
    // A skip rule that matches nothing any more is stale: remove it.
    for (const s of SKIPPED) expect(EXAMPLES.some((e) => s.match.test(e.line)), `stale skip rule ${s.match}`).toBe(true);
  });
});

for (const [block, examples] of blocks) {
  describe(`examples of ${block}`, () => {
    let w: World;
    beforeAll(async () => {
      w = await makeWorld(await buildCli(), examples.map((e) => e.line));
    }, 120_000);
    afterAll(async () => {
      await w?.sb.close();
    });
    for (const e of examples) {
      const p = prepare(e.line);
      const title = `${e.source}: ${e.line}`;
      if ('skip' in p) {
        it(`${title} (not run: ${p.skip})`, () => {
          expect(p.skip).toBeTruthy();
        });
        continue;
      }
      it(title, async () => {
        const r = await runLine(w, p.run);
        const shown = `$ ${p.run}\n--- exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
        expect(allowedCodes(p.run), shown).toContain(r.code);
        expect(r.stderr, shown).not.toMatch(/Error:|unexpected error/);
      }, 40_000);
    }
  });
}
