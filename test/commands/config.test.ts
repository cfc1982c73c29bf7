import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';

/** A temp home; the CLI's config folder is <home>/.config/yotta (YOTTA_CONFIG_DIR set by runCli). */
function home() {
  const dir = tempDir('yotta-home-');
  const cfgDir = join(dir, '.config', 'yotta');
  return { homeDir: dir, cfgDir, file: join(cfgDir, 'config.json') };
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, Record<string, string>> };
const mode = (p: string) => statSync(p).mode & 0o777;

describe('yotta config set/get/unset/list', () => {
  it('stores, prints and removes values per profile', async () => {
    const h = home();
    let r = await runCli(['config', 'set', 'output', 'json'], { homeDir: h.homeDir });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain(`Set output = json in profile "default" (${h.file})`);
    r = await runCli(['--profile', 'staging', 'config', 'set', 'base-url', 'https://staging.example.com/'], { homeDir: h.homeDir });
    expect(r.code).toBe(0);
    r = await runCli(['config', 'set', 'wait-timeout', '20m'], { homeDir: h.homeDir, env: { YOTTA_PROFILE: 'staging' } });
    expect(r.code).toBe(0);
    expect(read(h.file)).toEqual({
      profiles: { default: { output: 'json' }, staging: { 'base-url': 'https://staging.example.com', 'wait-timeout': '20m' } },
    });
    expect(mode(h.file)).toBe(0o600);
    expect(mode(h.cfgDir)).toBe(0o700);

    // The profile's own `output: json` now applies to every command of that profile, config get included.
    r = await runCli(['config', 'get', 'output'], { homeDir: h.homeDir });
    expect(JSON.parse(r.stdout)).toEqual({ profile: 'default', key: 'output', value: 'json' });
    expect(await runCli(['config', 'get', 'output', '-o', 'table'], { homeDir: h.homeDir })).toMatchObject({ code: 0, stdout: 'json\n' });
    r = await runCli(['--profile', 'staging', 'config', 'get', 'base-url', '--json'], { homeDir: h.homeDir });
    expect(JSON.parse(r.stdout)).toEqual({ profile: 'staging', key: 'base-url', value: 'https://staging.example.com' });
    r = await runCli(['config', 'get', 'base-url', '-o', 'table'], { homeDir: h.homeDir });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain('base-url is not set in profile "default"');
    r = await runCli(['config', 'get', 'base-url', '--json'], { homeDir: h.homeDir });
    expect(JSON.parse(r.stdout)).toEqual({ profile: 'default', key: 'base-url', value: null });

    r = await runCli(['--profile', 'staging', 'config', 'list'], { homeDir: h.homeDir });
    expect(r.stdout).toBe('base-url      https://staging.example.com\nwait-timeout  20m\n');
    r = await runCli(['config', 'list', '--all', '--json'], { homeDir: h.homeDir });
    expect(JSON.parse(r.stdout)).toEqual({ file: h.file, profiles: read(h.file).profiles });
    // The default profile's `output: json` applies to config list as to every command.
    r = await runCli(['config', 'list', '--all'], { homeDir: h.homeDir });
    expect(JSON.parse(r.stdout)).toEqual({ file: h.file, profiles: read(h.file).profiles });
    r = await runCli(['config', 'list', '--all', '-o', 'table'], { homeDir: h.homeDir });
    expect(r.stdout).toBe('[default]\noutput  json\n\n[staging]\nbase-url      https://staging.example.com\nwait-timeout  20m\n');

    r = await runCli(['config', 'unset', 'output', '-o', 'table'], { homeDir: h.homeDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Removed output from profile "default"');
    expect(read(h.file).profiles.default).toBeUndefined();
    r = await runCli(['config', 'unset', 'output'], { homeDir: h.homeDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('output is not set in profile "default"');
  });

  it('prints -o yaml documents', async () => {
    const h = home();
    await runCli(['config', 'set', 'output', 'wide'], { homeDir: h.homeDir });
    const r = await runCli(['-o', 'yaml', 'config', 'list'], { homeDir: h.homeDir });
    expect(r.stdout).toBe(`profile: default\nfile: ${h.file}\nsettings:\n  output: wide\n`);
  });

  it.each([
    [['config', 'set', 'output', 'jsn'], /output "jsn" is not a format; did you mean "json"\?/],
    [['config', 'set', 'base-url', 'http://api.example.com'], /not HTTPS/],
    [['config', 'set', 'base-url', 'not a url'], /is not a URL/],
    [['config', 'set', 'wait-timeout', 'soon'], /not a duration/],
    [['config', 'set', 'base_url', 'https://x.example'], /unknown config key "base_url"; did you mean "base-url"\?/],
    [['config', 'get', 'outptu'], /unknown config key "outptu"; did you mean "output"\?/],
    [['config', 'unset', 'colour'], /unknown config key "colour"/],
    [['--profile', 'a/b', 'config', 'set', 'output', 'json'], /profile name "a\/b" is not valid/],
  ])('refuses %j with exit 2 and writes nothing', async (args, re) => {
    const h = home();
    const r = await runCli(args, { homeDir: h.homeDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stdout).toBe('');
    expect(existsSync(h.file)).toBe(false);
  });

  it('accepts http:// on loopback for base-url', async () => {
    const h = home();
    expect((await runCli(['config', 'set', 'base-url', 'http://127.0.0.1:8080'], { homeDir: h.homeDir })).code).toBe(0);
    expect(read(h.file).profiles.default).toEqual({ 'base-url': 'http://127.0.0.1:8080' });
  });

  it('never sets, gets or unsets the API key, and never echoes a value given for it', async () => {
    const h = home();
    const secret = 'yk-DO-NOT-ECHO-9f8e7d';
    let r = await runCli(['config', 'set', 'api-key', secret], { homeDir: h.homeDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('yotta auth login');
    expect(r.stderr + r.stdout).not.toContain(secret);
    expect(existsSync(h.file)).toBe(false);
    r = await runCli(['config', 'get', 'api-key'], { homeDir: h.homeDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('yotta auth status');
    r = await runCli(['config', 'unset', 'api_key'], { homeDir: h.homeDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('yotta auth logout');
  });

  it('list shows a stored key only as "(set)"', async () => {
    const h = home();
    mkdirSync(h.cfgDir, { recursive: true });
    const secret = 'yk-LIST-NEVER-SHOWS-1234';
    writeFileSync(h.file, JSON.stringify({ profiles: { default: { 'api-key': secret, output: 'json', 'hf-token': 'hf_abc' } } }));
    for (const args of [['config', 'list'], ['config', 'list', '--json'], ['config', 'list', '--all'], ['config', 'list', '--all', '--json']]) {
      const r = await runCli(args, { homeDir: h.homeDir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('(set)');
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stdout).not.toContain('hf_abc');
    }
  });

  it('on a corrupt config file: a clear error naming the file, exit 2, and the file left as it was', async () => {
    const h = home();
    mkdirSync(h.cfgDir, { recursive: true });
    const corrupt = '{ "profiles": { "default": { "output": "json" } ';
    writeFileSync(h.file, corrupt, { mode: 0o600 });
    for (const args of [['config', 'set', 'output', 'wide'], ['config', 'unset', 'output'], ['config', 'list'], ['config', 'get', 'output']]) {
      const r = await runCli(args, { homeDir: h.homeDir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`config file ${h.file} is not valid JSON`);
      expect(r.stderr).toContain('never overwrites');
      expect(readFileSync(h.file, 'utf8')).toBe(corrupt);
    }
    expect(existsSync(`${h.file}.lock`)).toBe(false);
  });

  it('tightens a loosened folder and file when it writes', async () => {
    const h = home();
    mkdirSync(h.cfgDir, { recursive: true });
    writeFileSync(h.file, '{"profiles":{}}');
    chmodSync(h.file, 0o666);
    chmodSync(h.cfgDir, 0o777);
    expect((await runCli(['config', 'set', 'output', 'json'], { homeDir: h.homeDir })).code).toBe(0);
    expect(mode(h.file)).toBe(0o600);
    expect(mode(h.cfgDir)).toBe(0o700);
  });

  it('--all and --profile together are refused', async () => {
    const r = await runCli(['--profile', 'x', 'config', 'list', '--all'], { homeDir: home().homeDir });
    expect(r.code).toBe(2);
  });

  it.each([['config'], ['config', 'get'], ['config', 'set'], ['config', 'unset'], ['config', 'list']])(
    '`%s --help` has a summary and an example',
    async (...args) => {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: yotta config/);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ yotta /);
    },
  );
});
