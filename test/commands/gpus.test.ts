import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { GPU_TYPES } from '../../src/gpus.js';
import { runCli } from '../helpers/cli.js';

let sb: Sandbox;
let env: Record<string, string>;

beforeEach(async () => {
  sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
});

afterEach(async () => {
  await sb.close();
});

const expected = GPU_TYPES.map((g) => ({ code: g.code, name: g.name, vramGb: g.vramGb }));

describe('yotta gpus', () => {
  it('prints a CODE, NAME, VRAM table of every known type and sends nothing', async () => {
    const r = await runCli(['gpus'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CODE\s+NAME\s+VRAM$/);
    expect(lines).toHaveLength(GPU_TYPES.length + 1);
    expect(r.stdout).toMatch(/^NVIDIA_H100_80G\s+H100\s+80 GB$/m);
    expect(r.stdout).toMatch(/^NVIDIA_RTX_6000_Ada_48G\s+RTX 6000 Ada\s+48 GB$/m);
    expect(r.stdout).toMatch(/^AMD_MI300X_192G\s+MI300X\s+192 GB$/m);
    expect(r.stdout).toMatch(/^NVIDIA_L4_24G\s+L4\s+24 GB$/m);
    // Rows in the docs' order; no trailing spaces; no colour on a pipe.
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(GPU_TYPES.map((g) => g.code));
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
    expect(r.stdout).not.toContain('\u001b[');
    expect(sb.requests).toHaveLength(0);
  });

  it('needs no API key', async () => {
    const r = await runCli(['gpus']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('NVIDIA_B200_180G');
  });

  it('--json prints code, name and vramGb for each type', async () => {
    const r = await runCli(['gpus', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(sb.requests).toHaveLength(0);
  });

  it('-o yaml prints the same list as YAML', async () => {
    const r = await runCli(['gpus', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(parseYaml(r.stdout)).toEqual(expected);
  });

  it('-o wide is the table, and a terminal changes nothing but presentation', async () => {
    const plain = await runCli(['gpus']);
    const wide = await runCli(['gpus', '-o', 'wide']);
    const tty = await runCli(['gpus'], { stdoutTTY: true });
    expect(wide.stdout).toBe(plain.stdout);
    expect(tty.stdout).toBe(plain.stdout);
  });

  it('is listed in the top-level help, and its own help explains it with examples', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/^ {2}gpus\s+list the known GPU types: code, name and memory per card$/m);
    const r = await runCli(['gpus', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--gpu-type');
    expect(r.stdout).toContain('needs no API key');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('$ yotta gpus --json');
  });

  it('refuses arguments: exit 2', async () => {
    const r = await runCli(['gpus', 'h100']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: /);
  });
});
