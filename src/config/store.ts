/**
 * Our config file (`config.json` in configDir()): strict reading with plain `readFile` + JSON.parse
 * (this runs on every command, and conf is slow to import), and locked, atomic, 0600 writes through
 * conf (loaded only when something is written).
 *
 * Shape (documented in the README):
 *   { "profiles": { "<name>": { "api-key": "…", "base-url": "…", "output": "json", "wait-timeout": "10m" } } }
 * Keys we do not know are kept as they are on every write, so a newer yotta's settings survive an older one.
 *
 * Concurrency: every write is a read-modify-write under an exclusive lock file (`config.json.lock`,
 * created with O_EXCL), and the file itself is replaced by an atomic rename (conf → atomically), so
 * two yotta processes writing at once never lose each other's change and a reader never sees half a file.
 */
import { chmod, mkdir, open, stat, unlink } from 'node:fs/promises';
import { readTextFile } from './read-text.js';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname } from 'node:path';
import type { Context } from '../context.js';
import { ConfigError, UsageError } from '../errors.js';
import { configFilePath } from './paths.js';

/** The keys a profile holds. `api-key` is written only by `auth login` and never shown. */
export const PROFILE_KEYS = ['api-key', 'base-url', 'output', 'wait-timeout'] as const;
/** A documented key of a profile. */
export type ProfileKey = (typeof PROFILE_KEYS)[number];

/** One profile's settings, as stored. Unknown keys pass through untouched. */
export interface ProfileConfig {
  'api-key'?: string;
  'base-url'?: string;
  output?: string;
  'wait-timeout'?: string;
  [other: string]: unknown;
}

/** The whole config file. */
export interface ConfigFile {
  profiles: Record<string, ProfileConfig>;
  [other: string]: unknown;
}

/** File mode of config.json: owner read/write only. */
export const FILE_MODE = 0o600;
/** Mode of the config folder: owner only. */
export const DIR_MODE = 0o700;

/** A lock older than this is taken to be left by a crashed process. A write holds it for milliseconds. */
const LOCK_STALE_MS = 10_000;
/** How long a writer waits for another writer's lock before giving up. */
const LOCK_WAIT_MS = 20_000;

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws a UsageError unless `name` is a usable profile name (letters, digits, `._-`, at most 64). */
export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(
      `profile name "${name}" is not valid`,
      'A profile name starts with a letter or digit and has only letters, digits, ".", "_" and "-" (at most 64).',
    );
  }
  return name;
}

/** The stored settings of profile `name`, if the file has that profile. */
export function getProfile(cfg: ConfigFile, name: string): ProfileConfig | undefined {
  return Object.hasOwn(cfg.profiles, name) ? cfg.profiles[name] : undefined;
}

/** An empty config. */
export function emptyConfig(): ConfigFile {
  return { profiles: {} };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where JSON.parse stopped, as "line L, column C", without quoting the file (it holds the key). */
function jsonErrorPlace(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : '';
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return ` (line ${lc[1]}, column ${lc[2]})`;
  const pos = /position (\d+)/.exec(message);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return ` (line ${line}, column ${col})`;
  }
  if (/end of JSON input/i.test(message)) return ' (it ends too early)';
  return '';
}

const NEVER_OVERWRITTEN = 'Fix or remove the file; yotta never overwrites a config file it cannot read.';
const NOT_A_FOLDER = 'A part of that path is a file, not a folder: point YOTTA_CONFIG_DIR (or XDG_CONFIG_HOME) at a folder.';

/** Parses and checks the text of config.json; `file` names it in errors. Empty text is an empty config. */
export function parseConfigText(text: string, file: string): ConfigFile {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return emptyConfig();
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON${jsonErrorPlace(err, body)}`, NEVER_OVERWRITTEN);
  }
  if (!isPlainObject(data)) {
    throw new ConfigError(`config file ${file} must hold a JSON object with a "profiles" object`, NEVER_OVERWRITTEN);
  }
  const profiles = data.profiles ?? {};
  if (!isPlainObject(profiles)) {
    throw new ConfigError(`config file ${file}: "profiles" must be an object of profiles`, NEVER_OVERWRITTEN);
  }
  for (const [name, profile] of Object.entries(profiles)) {
    if (!isPlainObject(profile)) {
      throw new ConfigError(`config file ${file}: profile "${name}" must be an object`, NEVER_OVERWRITTEN);
    }
    for (const key of PROFILE_KEYS) {
      if (profile[key] !== undefined && typeof profile[key] !== 'string') {
        throw new ConfigError(`config file ${file}: "${key}" of profile "${name}" must be a string`, NEVER_OVERWRITTEN);
      }
    }
  }
  return { ...data, profiles: profiles as Record<string, ProfileConfig> };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of its path is not a folder';
    case 'EEXIST':
      return 'a file is in the way where the folder should be';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Reads config.json at `file`. A missing file is an empty config; anything unreadable is a ConfigError naming the file. */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    const hint = (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? NOT_A_FOLDER : NEVER_OVERWRITTEN;
    throw new ConfigError(`cannot read config file ${file}: ${describeFsError(err)}`, hint);
  }
  return parseConfigText(text, file);
}

/** What updateConfig did. */
export interface UpdateResult {
  file: string;
  /** False when the change left the config as it was, and nothing was written. */
  written: boolean;
}

/**
 * Changes the config under the lock: reads the file (refusing a corrupt one), lets `mutate` change a
 * copy (it returns false when there is nothing to write), writes it atomically with mode 0600 and
 * tightens the folder to 0700 and the file to 0600.
 */
export async function updateConfig(
  ctx: Pick<Context, 'env' | 'homeDir' | 'cwd'> & { signal?: AbortSignal },
  mutate: (cfg: ConfigFile) => boolean,
): Promise<UpdateResult> {
  const file = configFilePath(ctx);
  const dir = dirname(file);
  await secureDir(dir);
  return withLock(file, ctx.signal, async () => {
    const current = await readConfigFile(file);
    const next = structuredClone(current);
    if (!mutate(next)) return { file, written: false };
    await writeWithConf(dir, next, file);
    try {
      await chmod(file, FILE_MODE);
    } catch (err) {
      throw new ConfigError(`cannot set mode 0600 on ${file}: ${describeFsError(err)}`);
    }
    return { file, written: true };
  });
}

/** Creates the folder 0700, or tightens an existing one that others can read. */
async function secureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const st = await stat(dir);
    if ((st.mode & 0o777) !== DIR_MODE) await chmod(dir, DIR_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot create or secure config folder ${dir}: ${describeFsError(err)}`, code === 'ENOTDIR' || code === 'EEXIST' ? NOT_A_FOLDER : undefined);
  }
}

async function writeWithConf(dir: string, value: ConfigFile, file: string): Promise<void> {
  const { default: Conf } = await import('conf');
  try {
    const store = new Conf<ConfigFile>({
      cwd: dir,
      configName: 'config',
      configFileMode: FILE_MODE,
      // conf's default would wipe a file it cannot parse; ours is already checked, and must never be wiped.
      clearInvalidConfig: false,
      // A profile name may hold dots; the whole store is written at once, never by dotted path.
      accessPropertiesByDotNotation: false,
      serialize: (v) => JSON.stringify(v, null, 2) + '\n',
      // Read as readConfigFile reads it (already checked under this lock): an empty file, which conf's
      // own reader refuses, is an empty config, so `touch config.json` cannot block every later write.
      deserialize: (text) => {
        const body = text.replace(/^\uFEFF/, '');
        return body.trim() === '' ? emptyConfig() : (JSON.parse(body) as ConfigFile);
      },
    });
    store.store = value;
  } catch (err) {
    throw new ConfigError(`cannot write config file ${file}: ${describeFsError(err)}`);
  }
}

/**
 * Runs `fn` holding `<file>.lock`, made with O_EXCL so only one process can hold it. Waits use real
 * timers, not the Context clock: the other writer is another process, on real time. Ctrl-C (`signal`)
 * ends the wait at once (AbortError), without touching the other writer's lock.
 */
async function withLock<T>(file: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', FILE_MODE);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot create lock file ${lock}: ${describeFsError(err)}`);
      }
    }
    await removeIfStale(lock);
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new ConfigError(
        `config file ${file} is locked by another yotta process`,
        `If no other yotta is running, remove ${lock} and try again.`,
      );
    }
    await delay(Math.min(100, 5 + attempt * 5) + Math.floor(Math.random() * 10), undefined, { signal });
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Removes a lock left by a crashed writer (older than LOCK_STALE_MS), if it is still the same lock. */
async function removeIfStale(lock: string): Promise<void> {
  const seen = await stat(lock).catch(() => undefined);
  if (!seen || Date.now() - seen.mtimeMs < LOCK_STALE_MS) return;
  const again = await stat(lock).catch(() => undefined);
  if (again && again.ino === seen.ino && again.mtimeMs === seen.mtimeMs) {
    await unlink(lock).catch(() => undefined);
  }
}
