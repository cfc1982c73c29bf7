import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { iniSection, parseIni, readOfficialProfile } from '../../src/config/official-cli.js';
import { ConfigError } from '../../src/errors.js';
import { tmp as tempDir } from './util.js';

const F = '/home/u/.yotta/config';

function section(text: string, name: string): Record<string, string> | undefined {
  const s = iniSection(parseIni(text, F), name);
  return s ? Object.fromEntries(s) : undefined;
}

describe('parseIni (configparser defaults)', () => {
  it('reads sections with = and : delimiters, trimming keys and values', () => {
    const text = '[default]\napi_key = yk-abc123\nbase_url: https://api.example.com  \n\n[staging]\n  api_key=yk-s\n';
    expect(section(text, 'default')).toEqual({ api_key: 'yk-abc123', base_url: 'https://api.example.com' });
    expect(section(text, 'staging')).toEqual({ api_key: 'yk-s' });
    expect(section(text, 'absent')).toBeUndefined();
  });

  it('skips whole-line # and ; comments but keeps inline ones as part of the value, like configparser', () => {
    const text = '# top\n; also\n[default]\n  # indented comment\napi_key = yk-1 ; not a comment\n';
    expect(section(text, 'default')).toEqual({ api_key: 'yk-1 ; not a comment' });
  });

  it('lower-cases keys, keeps section names as written, and handles CRLF and a BOM', () => {
    const text = '\uFEFF[Default]\r\nAPI_KEY = yk-x\r\n';
    expect(section(text, 'Default')).toEqual({ api_key: 'yk-x' });
    expect(section(text, 'default')).toBeUndefined();
  });

  it('joins indented continuation lines with newlines', () => {
    expect(section('[a]\nnote = one\n  two\nk = v\n', 'a')).toEqual({ note: 'one\ntwo', k: 'v' });
  });

  it('fills values from [DEFAULT] into every section, the section winning', () => {
    const text = '[DEFAULT]\nbase_url = https://d.example\napi_key = yk-default\n[team]\napi_key = yk-team\n';
    expect(section(text, 'team')).toEqual({ base_url: 'https://d.example', api_key: 'yk-team' });
  });

  it('keeps the first delimiter: a URL with a colon after = stays whole', () => {
    expect(section('[a]\nbase_url = http://127.0.0.1:8080\n', 'a')).toEqual({ base_url: 'http://127.0.0.1:8080' });
  });

  it.each([
    ['api_key = x\n', 1, 'before any [section]'],
    ['[a]\njust words\n', 2, 'expected "key = value"'],
    ['[a]\n[a]\n', 2, 'section [a] appears twice'],
    ['[a]\nk = 1\nK = 2\n', 3, 'key "k" appears twice'],
    ['[a]\n= v\n', 2, 'no key'],
  ])('refuses %j with file:line', (text, line, what) => {
    try {
      parseIni(text, F);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`${F}:${line}:`);
      expect((err as Error).message).toContain(what);
    }
  });
});

describe('readOfficialProfile', () => {
  it('returns undefined when the file or the section is missing, and ignores empty values', async () => {
    const home = tempDir();
    const file = join(home, '.yotta', 'config');
    expect(await readOfficialProfile(file, 'default')).toBeUndefined();
    mkdirSync(join(home, '.yotta'));
    writeFileSync(file, '[default]\napi_key =\nbase_url = https://x.example\n');
    expect(await readOfficialProfile(file, 'default')).toEqual({ file, baseUrl: 'https://x.example' });
    expect(await readOfficialProfile(file, 'other')).toBeUndefined();
  });

  // root reads any file whatever its mode, so the check means something only for a normal user.
  it.skipIf(process.getuid?.() === 0)('names the file when it cannot be read', async () => {
    const home = tempDir();
    const file = join(home, 'config');
    writeFileSync(file, '[default]\napi_key = yk-1\n');
    chmodSync(file, 0o000);
    try {
      const result = await readOfficialProfile(file, 'default').catch((e: unknown) => e);
      expect(result).toBeInstanceOf(ConfigError);
      expect((result as Error).message).toContain(file);
      expect((result as Error).message).toContain('permission denied');
    } finally {
      chmodSync(file, 0o600);
    }
  });
});
