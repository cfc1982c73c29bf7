import { describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/globals.js';
import {
  describeApiKeySource,
  describeBaseUrlSource,
  requireApiKey,
  resolveSettings,
} from '../../src/config/settings.js';
import { AuthError, ConfigError, UsageError } from '../../src/errors.js';
import { makeCtx, writeOfficialConfig, writeOurConfig } from './util.js';

const G: GlobalOptions = { color: false, input: true };

type Layer = 'env' | 'profile' | 'official-cli';
const LAYERS: Layer[] = ['env', 'profile', 'official-cli'];

/** Every subset of `items`. */
function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => acc.concat(acc.map((s) => [...s, item])), [[]]);
}

describe('resolveSettings: API key precedence (env > profile > official CLI file)', () => {
  for (const present of subsets(LAYERS)) {
    const expected = LAYERS.find((l) => present.includes(l));
    it(`with ${present.join(' + ') || 'nothing'} → ${expected ?? 'no key'}`, async () => {
      const ctx = makeCtx(present.includes('env') ? { YOTTA_API_KEY: 'yk-from-env-0001' } : {});
      if (present.includes('profile')) writeOurConfig(ctx, { profiles: { default: { 'api-key': 'yk-from-profile-02' } } });
      if (present.includes('official-cli')) writeOfficialConfig(ctx, '[default]\napi_key = yk-from-official-3\n');
      const s = await resolveSettings(ctx, G);
      expect(s.apiKeySource).toBe(expected);
      expect(s.apiKey).toBe(
        { env: 'yk-from-env-0001', profile: 'yk-from-profile-02', 'official-cli': 'yk-from-official-3' }[expected!] ,
      );
    });
  }
});

type UrlLayer = 'flag' | 'env' | 'profile' | 'official-cli';
const URL_LAYERS: UrlLayer[] = ['flag', 'env', 'profile', 'official-cli'];
const URLS: Record<UrlLayer | 'default', string> = {
  flag: 'https://flag.example',
  env: 'https://env.example',
  profile: 'https://profile.example',
  'official-cli': 'https://official.example',
  default: 'https://api.yottalabs.ai',
};

describe('resolveSettings: base URL precedence (flag > env > profile > official CLI file > default)', () => {
  for (const present of subsets(URL_LAYERS)) {
    const expected = URL_LAYERS.find((l) => present.includes(l)) ?? 'default';
    it(`with ${present.join(' + ') || 'nothing'} → ${expected}`, async () => {
      const ctx = makeCtx(present.includes('env') ? { YOTTA_BASE_URL: URLS.env } : {});
      if (present.includes('profile')) writeOurConfig(ctx, { profiles: { default: { 'base-url': URLS.profile } } });
      if (present.includes('official-cli')) writeOfficialConfig(ctx, `[default]\nbase_url = ${URLS['official-cli']}\n`);
      // commander puts the flag, else YOTTA_BASE_URL, into the global option.
      const baseUrl = present.includes('flag') ? URLS.flag : present.includes('env') ? URLS.env : undefined;
      const s = await resolveSettings(ctx, { ...G, ...(baseUrl ? { baseUrl } : {}) });
      expect(s.baseUrl).toBe(URLS[expected]);
      expect(s.baseUrlSource).toBe(expected);
    });
  }
});

describe('resolveSettings: profiles', () => {
  const both = (ctx: ReturnType<typeof makeCtx>) => {
    writeOurConfig(ctx, {
      profiles: { default: { 'api-key': 'yk-default-key-1' }, staging: { 'base-url': 'https://staging.example', output: 'json', 'wait-timeout': '20m' } },
    });
    writeOfficialConfig(ctx, '[default]\napi_key = yk-official-default\n[staging]\napi_key = yk-official-staging\nbase_url = https://o-staging.example\n');
  };

  it('uses "default" when no profile is chosen', async () => {
    const ctx = makeCtx();
    both(ctx);
    const s = await resolveSettings(ctx, G);
    expect(s).toMatchObject({ profile: 'default', apiKey: 'yk-default-key-1', apiKeySource: 'profile', baseUrlSource: 'default' });
  });

  it('--profile picks the profile in both files, each field from the highest layer that has it', async () => {
    const ctx = makeCtx();
    both(ctx);
    const s = await resolveSettings(ctx, { ...G, profile: 'staging' });
    expect(s).toMatchObject({
      profile: 'staging',
      apiKey: 'yk-official-staging',
      apiKeySource: 'official-cli',
      baseUrl: 'https://staging.example',
      baseUrlSource: 'profile',
      output: 'json',
      waitTimeoutMs: 20 * 60_000,
    });
    expect(describeApiKeySource(s)).toBe(`Yotta CLI file ${ctx.homeDir}/.yotta/config [staging]`);
    expect(describeBaseUrlSource(s)).toBe(`profile "staging" in ${ctx.env.YOTTA_CONFIG_DIR}/config.json`);
  });

  it('YOTTA_PROFILE chooses the profile when --profile is absent; --profile wins over it', async () => {
    const ctx = makeCtx({ YOTTA_PROFILE: 'staging' });
    both(ctx);
    expect((await resolveSettings(ctx, G)).profile).toBe('staging');
    expect((await resolveSettings(ctx, { ...G, profile: 'default' })).profile).toBe('default');
  });

  it('refuses a malformed profile name', async () => {
    await expect(resolveSettings(makeCtx(), { ...G, profile: '../etc' })).rejects.toBeInstanceOf(UsageError);
  });

  it('reports the env source of the base URL when the global option holds YOTTA_BASE_URL', async () => {
    const ctx = makeCtx({ YOTTA_BASE_URL: 'https://env.example' });
    const s = await resolveSettings(ctx, { ...G, baseUrl: 'https://env.example' });
    expect(describeBaseUrlSource(s)).toBe('environment variable YOTTA_BASE_URL');
  });

  it('does not read the official file when our layers already give key and URL', async () => {
    const ctx = makeCtx({ YOTTA_API_KEY: 'yk-env-key-0001' });
    writeOfficialConfig(ctx, 'not ini at all\n');
    await expect(resolveSettings(ctx, { ...G, baseUrl: 'https://x.example' })).resolves.toMatchObject({ apiKeySource: 'env' });
    await expect(resolveSettings(ctx, G)).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses a stored output or wait-timeout that is not valid, naming key, profile and file', async () => {
    const ctx = makeCtx();
    const file = writeOurConfig(ctx, { profiles: { default: { output: 'xml' } } });
    await expect(resolveSettings(ctx, G)).rejects.toThrow(new RegExp(`"output" in profile "default" of ${file}`));
    writeOurConfig(ctx, { profiles: { default: { 'wait-timeout': 'soon' } } });
    await expect(resolveSettings(ctx, G)).rejects.toThrow(/"wait-timeout" in profile "default"/);
  });
});

describe('requireApiKey', () => {
  it('a profile that neither file has: UsageError (exit 2) "no profile named X", listing the profiles', async () => {
    const ctx = makeCtx();
    writeOurConfig(ctx, { profiles: { staging: { output: 'json' } } });
    const s = await resolveSettings(ctx, { ...G, profile: 'stagign' });
    expect(() => requireApiKey(s)).toThrow(UsageError);
    expect(() => requireApiKey(s)).toThrow('no profile named "stagign"; profiles: default, staging');
  });

  it('returns the key when there is one', async () => {
    const s = await resolveSettings(makeCtx({ YOTTA_API_KEY: 'yk-abcdef123456' }), G);
    expect(requireApiKey(s)).toBe('yk-abcdef123456');
  });

  it('throws AuthError (exit 3) naming the three ways to give a key', async () => {
    const ctx = makeCtx();
    // A profile that exists, with settings but no key.
    writeOurConfig(ctx, { profiles: { team: { output: 'json' } } });
    const s = await resolveSettings(ctx, { ...G, profile: 'team' });
    try {
      requireApiKey(s);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AuthError);
      const e = err as AuthError;
      expect(e.exitCode).toBe(3);
      expect(e.message).toContain('profile "team"');
      expect(e.hint).toContain('yotta auth login --profile team');
      expect(e.hint).toContain('YOTTA_API_KEY');
      expect(e.hint).toContain(`[team] of ${ctx.homeDir}/.yotta/config`);
    }
  });

  it('refuses a key with a space or newline, naming its source and not the key', async () => {
    const ctx = makeCtx();
    const file = writeOurConfig(ctx, { profiles: { default: { 'api-key': 'yk-abc def-SECRET' } } });
    const s = await resolveSettings(ctx, G);
    expect(() => requireApiKey(s)).toThrow(ConfigError);
    expect(() => requireApiKey(s)).toThrow(new RegExp(`profile "default" in ${file}`));
    expect(() => requireApiKey(s)).not.toThrow(/SECRET/);
  });
});

describe('chosen profile', () => {
  it('treats an empty YOTTA_PROFILE or --profile value as not chosen', async () => {
    expect((await resolveSettings(makeCtx({ YOTTA_PROFILE: '' }), { ...G, profile: '' })).profile).toBe('default');
  });
});
