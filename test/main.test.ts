import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('yotta (root)', () => {
  it('prints help with no arguments, to stdout, exit 0', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: yotta');
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stderr).toBe('');
  });

  it('rejects an unknown option with exit 2, one clear line and a suggestion', async () => {
    const r = await runCli(['--jsno']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: unknown option '--jsno'.*Did you mean --json\?/);
    expect(r.stdout).toBe('');
  });

  it('reports errors as one JSON object on stderr under --json', async () => {
    const r = await runCli(['--json', '--timeout', 'soon', 'deploy']);
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stderr) as { error: { exitCode: number; message: string } };
    expect(err.error.exitCode).toBe(2);
    expect(err.error.message).toContain('--timeout');
  });
});
