/**
 * The settings a command runs with: profile, API key, base URL, output format and wait timeout,
 * each from the highest layer that has it (README "Authentication"):
 *
 *   1. `YOTTA_API_KEY`; `--base-url` flag, then `YOTTA_BASE_URL`
 *   2. the chosen profile in our config.json
 *   3. the section of the same name in `~/.yotta/config` (Yotta's official CLI; key and base URL only)
 *   4. the built-in default base URL
 *
 * The profile is `--profile`, else `YOTTA_PROFILE`, else `default`. Each field is looked up on its own.
 * This runs on every command, so it reads files with plain readFile (no conf) and reads the official
 * CLI's file only when a field is still missing.
 */
import type { Context } from '../context.js';
import type { GlobalOptions, OutputFormat } from '../globals.js';
import { OUTPUT_FORMATS, isOutputFormat } from './keys.js';
import { AuthError, ConfigError, UsageError, YottaError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { configFilePath, officialConfigPath } from './paths.js';
import { getProfile, readConfigFile, validateProfileName } from './store.js';
import type { ProfileConfig } from './store.js';
import { readOfficialProfile } from './official-cli.js';
import { DEFAULT_BASE_URL } from '../api/client.js';
/** The profile used when none is chosen. */
export const DEFAULT_PROFILE = 'default';

/** Where the API key came from. */
export type ApiKeySource = 'env' | 'profile' | 'official-cli';
/** Where the base URL came from. */
export type BaseUrlSource = 'flag' | 'env' | 'profile' | 'official-cli' | 'default';

/** Everything a command needs to know about who it talks to, and how it prints. */
export interface ResolvedSettings {
  profile: string;
  baseUrl: string;
  baseUrlSource: BaseUrlSource;
  apiKey?: string;
  apiKeySource?: ApiKeySource;
  /** Default output format from the profile (`-o`/`--json` override it). */
  output?: OutputFormat;
  /** Default `--wait` timeout from the profile, in ms. */
  waitTimeoutMs?: number;
  /** Our config file (whether or not it exists). */
  configFile: string;
  /** The official CLI's file (whether or not it exists). */
  officialFile: string;
  /** The profiles of config.json (and `default`), for "no profile named X" (undefined: not known). */
  profiles?: string[];
  /** false when the profile is in neither file (a typo, or one that `auth login` would create). */
  profileKnown?: boolean;
}

/** The profile chosen by `--profile`, else `YOTTA_PROFILE`, else `default`; UsageError when malformed. */
export function chosenProfile(ctx: Pick<Context, 'env'>, g: Pick<GlobalOptions, 'profile'>): string {
  // commander binds YOTTA_PROFILE from the process environment; ctx.env is read too so that in-process runs agree.
  // An empty value (`YOTTA_PROFILE=` in a script) means "not chosen", as for the other variables.
  const name = g.profile || ctx.env.YOTTA_PROFILE || DEFAULT_PROFILE;
  return validateProfileName(name);
}

/** Reads the settings for this run. ConfigError when a file is unreadable or holds a bad value. */
export async function resolveSettings(ctx: Context, g: GlobalOptions): Promise<ResolvedSettings> {
  const profile = chosenProfile(ctx, g);
  const configFile = configFilePath(ctx);
  const officialFile = officialConfigPath(ctx);
  const cfg = await readConfigFile(configFile);
  const stored: ProfileConfig = getProfile(cfg, profile) ?? {};
  let profileKnown = profile === DEFAULT_PROFILE || getProfile(cfg, profile) !== undefined;
  const where = `profile "${profile}" of ${configFile}`;

  let apiKey: string | undefined;
  let apiKeySource: ApiKeySource | undefined;
  const envKey = ctx.env.YOTTA_API_KEY?.trim();
  if (envKey) {
    apiKey = envKey;
    apiKeySource = 'env';
  } else if (stored['api-key']) {
    apiKey = stored['api-key'].trim();
    apiKeySource = 'profile';
  }

  let baseUrl: string | undefined;
  let baseUrlSource: BaseUrlSource = 'default';
  const envUrl = ctx.env.YOTTA_BASE_URL || undefined;
  if (g.baseUrl) {
    baseUrl = g.baseUrl;
    // commander has already put YOTTA_BASE_URL in g.baseUrl when no flag was given.
    baseUrlSource = g.baseUrl === envUrl ? 'env' : 'flag';
  } else if (envUrl) {
    baseUrl = envUrl;
    baseUrlSource = 'env';
  } else if (stored['base-url']) {
    baseUrl = stored['base-url'];
    baseUrlSource = 'profile';
  }

  if (apiKey === undefined || baseUrl === undefined) {
    const official = await readOfficialProfile(officialFile, profile);
    if (official) profileKnown = true;
    if (apiKey === undefined && official?.apiKey) {
      apiKey = official.apiKey;
      apiKeySource = 'official-cli';
    }
    if (baseUrl === undefined && official?.baseUrl) {
      baseUrl = official.baseUrl;
      baseUrlSource = 'official-cli';
    }
  }

  return {
    profile,
    baseUrl: baseUrl ?? DEFAULT_BASE_URL,
    baseUrlSource,
    ...(apiKey !== undefined ? { apiKey, apiKeySource } : {}),
    ...storedOutput(stored, where),
    ...storedWaitTimeout(stored, where),
    configFile,
    officialFile,
    profiles: [...new Set([DEFAULT_PROFILE, ...Object.keys(cfg.profiles ?? {})])],
    profileKnown,
  };
}

function storedOutput(p: ProfileConfig, where: string): { output?: OutputFormat } {
  const value = p.output;
  if (value === undefined) return {};
  if (!isOutputFormat(value)) {
    throw new ConfigError(
      `"output" in ${where} is "${value}"; it must be one of ${OUTPUT_FORMATS.join(', ')}`,
      'Fix it with `yotta config set output <format>`.',
    );
  }
  return { output: value };
}

function storedWaitTimeout(p: ProfileConfig, where: string): { waitTimeoutMs?: number } {
  const value = p['wait-timeout'];
  if (value === undefined) return {};
  try {
    return { waitTimeoutMs: parseDuration(value, 'wait-timeout') };
  } catch (err) {
    if (!(err instanceof YottaError)) throw err;
    throw new ConfigError(
      `"wait-timeout" in ${where} is "${value}", which is not a duration (e.g. 30s, 10m, 1h)`,
      'Fix it with `yotta config set wait-timeout <duration>`.',
    );
  }
}

/** Human words for where the key came from, e.g. `env YOTTA_API_KEY`; undefined when there is no key. */
export function describeApiKeySource(s: ResolvedSettings): string | undefined {
  switch (s.apiKeySource) {
    case 'env':
      return 'environment variable YOTTA_API_KEY';
    case 'profile':
      return `profile "${s.profile}" in ${s.configFile}`;
    case 'official-cli':
      return `Yotta CLI file ${s.officialFile} [${s.profile}]`;
    default:
      return undefined;
  }
}

/** Human words for where the base URL came from. */
export function describeBaseUrlSource(s: ResolvedSettings): string {
  switch (s.baseUrlSource) {
    case 'flag':
      return 'flag --base-url';
    case 'env':
      return 'environment variable YOTTA_BASE_URL';
    case 'profile':
      return `profile "${s.profile}" in ${s.configFile}`;
    case 'official-cli':
      return `Yotta CLI file ${s.officialFile} [${s.profile}]`;
    case 'default':
      return 'built-in default';
  }
}

/** Whether a key holds what no header value may (a space, a stray newline, other control characters). */
export function keyHasBadCharacters(key: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\s\u0000-\u001f\u007f]/.test(key);
}

/**
 * The key to send, or AuthError (exit 3) naming the three ways to give one. A key that could not be
 * sent as a header value (a stray space or newline) is refused here, naming where it came from.
 */
export function requireApiKey(s: ResolvedSettings): string {
  if (s.apiKey) {
    if (keyHasBadCharacters(s.apiKey)) {
      const message = `the API key from ${describeApiKeySource(s)} contains spaces or control characters`;
      throw s.apiKeySource === 'env'
        ? new UsageError(message, 'Set YOTTA_API_KEY to the key alone.')
        : new ConfigError(message, 'Store the key alone, on one line (`yotta auth login` does).');
    }
    return s.apiKey;
  }
  if (s.profileKnown === false) {
    throw new UsageError(
      `no profile named "${s.profile}"; profiles: ${(s.profiles ?? [DEFAULT_PROFILE]).join(', ')}`,
      `To create it, store its key: yotta --profile ${s.profile} auth login`,
    );
  }
  throw new AuthError(
    `no API key for profile "${s.profile}"`,
    [
      'Give one in any of these ways:',
      `  - run \`yotta auth login${s.profile === DEFAULT_PROFILE ? '' : ` --profile ${s.profile}`}\` (stored in ${s.configFile})`,
      '  - set the environment variable YOTTA_API_KEY',
      `  - put api_key in section [${s.profile}] of ${s.officialFile} (the file of Yotta's official CLI)`,
    ].join('\n'),
  );
}

/**
 * The `output` setting of the chosen profile, for deciding the output mode before a command runs
 * (and before an error is printed); undefined when there is none or the config cannot be read —
 * the command itself reports a bad config file.
 */
export async function profileOutputFormat(ctx: Context, g: Pick<GlobalOptions, 'profile'>): Promise<OutputFormat | undefined> {
  try {
    const profile = chosenProfile(ctx, g);
    const configFile = configFilePath(ctx);
    const stored = getProfile(await readConfigFile(configFile), profile);
    const value = stored?.output;
    return value !== undefined && isOutputFormat(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
