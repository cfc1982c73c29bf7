/**
 * Deployment ids and names for shell completion (`yotta __complete deployments`). A TAB press must be
 * quick and quiet, so the list is cached for a minute in the config folder, a refresh makes one list
 * call bounded by a short deadline, and every failure simply offers nothing.
 */
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import type { ElasticDeploymentDetail } from '../api/types.js';

/** The cache file, inside configDir(). */
export const COMPLETION_CACHE_FILE = 'completion-cache.json';
/** How long a cached list is used before the API is asked again. */
export const COMPLETION_CACHE_TTL_MS = 60_000;
/** The most a refresh may take, request and retries included. */
export const COMPLETION_FETCH_TIMEOUT_MS = 2_000;

/** A deployment as the cache keeps it: only what completion shows. */
export interface CachedDeployment {
  id: string;
  name: string;
  status: string;
}

/** The cache file's content. */
export interface CompletionCache {
  version: 1;
  /** Which account and endpoint the list belongs to (a hash: the key itself is never written). */
  key: string;
  /** ctx.now() when it was fetched. */
  savedAt: number;
  deployments: CachedDeployment[];
}

// What may reach a shell: ids are digits, names follow Yotta's documented name characters, statuses
// are upper-case words. Anything else is left out rather than escaped, since a script might evaluate it.
const ID = /^\d{15,20}$/;
const NAME = /^[A-Za-z0-9@._-]+$/;
const STATUS = /^[A-Z_]+$/;

/**
 * Candidate lines `value<TAB>description`: each distinct name (with its status), then each id
 * (with its name and status). Entries that are not safe to hand to a shell are skipped.
 */
export function candidateLines(list: readonly CachedDeployment[]): string[] {
  const names = new Map<string, CachedDeployment[]>();
  const ids: string[] = [];
  for (const d of list) {
    const status = STATUS.test(d.status) ? d.status : '';
    const name = NAME.test(d.name) ? d.name : '';
    if (name) names.set(name, [...(names.get(name) ?? []), d]);
    if (ID.test(d.id)) ids.push(`${d.id}\t${[name, status].filter(Boolean).join(', ')}`);
  }
  const named = [...names].map(([name, ds]) =>
    ds.length > 1 ? `${name}\t${ds.length} deployments with this name` : `${name}\t${STATUS.test(ds[0]!.status) ? ds[0]!.status : ''}`,
  );
  return [...named, ...ids].map((l) => l.replace(/\t$/, ''));
}

/** Keeps the fields completion shows, as strings. */
export function toCached(list: readonly ElasticDeploymentDetail[]): CachedDeployment[] {
  return list.map((d) => ({ id: String(d.id ?? ''), name: String(d.name ?? ''), status: String(d.status ?? '') }));
}

function isCachedDeployment(v: unknown): v is CachedDeployment {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.name === 'string' && typeof r.status === 'string';
}

/** The cached list when the file holds one for `key` that is younger than the TTL at `now`; else undefined. */
export function freshEntries(text: string, key: string, now: number): CachedDeployment[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const c = parsed as Partial<CompletionCache> | null;
  if (typeof c !== 'object' || c === null || c.version !== 1 || c.key !== key || typeof c.savedAt !== 'number') return undefined;
  const age = now - c.savedAt;
  // A savedAt in the future means the clock moved back: the list's age is unknown, so refresh.
  if (!(age >= 0 && age < COMPLETION_CACHE_TTL_MS)) return undefined;
  if (!Array.isArray(c.deployments) || !c.deployments.every(isCachedDeployment)) return undefined;
  return c.deployments;
}

/** Which cache a command line uses: the sandbox, or a hash of profile, base URL and API key. */
async function cacheKey(ctx: Context, g: GlobalOptions): Promise<string | undefined> {
  if (g.sandbox) return 'sandbox';
  const { resolveSettings } = await import('../config/settings.js');
  const settings = await resolveSettings(ctx, g);
  // No key: nothing can be listed, and asking would only produce an error.
  if (!settings.apiKey) return undefined;
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(`${settings.profile}\n${settings.baseUrl}\n${settings.apiKey}`).digest('hex').slice(0, 32);
}

/** Lists deployments with one bounded call: per-request timeout and an overall deadline both COMPLETION_FETCH_TIMEOUT_MS. */
async function fetchDeployments(ctx: Context, g: GlobalOptions): Promise<CachedDeployment[]> {
  const [{ createUi }, { withSession }, { listDeployments }] = await Promise.all([
    import('../output/ui.js'),
    import('../session.js'),
    import('../api/deployments.js'),
  ]);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(COMPLETION_FETCH_TIMEOUT_MS)]);
  const bounded: Context = { ...ctx, signal };
  const quietG: GlobalOptions = { ...g, timeout: COMPLETION_FETCH_TIMEOUT_MS, debug: false, quiet: true, input: false };
  const ui = createUi(bounded, quietG);
  return toCached(await withSession(bounded, quietG, ui, (s) => listDeployments(s.client)));
}

/** Writes the cache atomically (temporary file, then rename), readable by the user only. */
async function writeCache(path: string, cache: CompletionCache): Promise<void> {
  const { writeFileAtomic } = await import('../atomic-write.js');
  writeFileAtomic(path, JSON.stringify(cache) + '\n');
}

/**
 * The candidate lines for `yotta __complete deployments`: from the cache when it is fresh for this
 * profile, base URL and key; else from one list call, which then rewrites the cache. Never throws:
 * any failure gives no lines, so a completion never shows an error.
 */
export async function completeDeployments(ctx: Context, g: GlobalOptions): Promise<string[]> {
  try {
    const key = await cacheKey(ctx, g);
    if (key === undefined) return [];
    const [{ configDir }, { join }, { readFile }] = await Promise.all([
      import('../config/paths.js'),
      import('node:path'),
      import('node:fs/promises'),
    ]);
    const path = join(configDir(ctx), COMPLETION_CACHE_FILE);
    const text = await readFile(path, 'utf8').catch(() => '');
    const cached = freshEntries(text, key, ctx.now());
    if (cached) return candidateLines(cached);
    const deployments = await fetchDeployments(ctx, g);
    // A cache that cannot be written only costs the next TAB a request.
    await writeCache(path, { version: 1, key, savedAt: ctx.now(), deployments }).catch(() => undefined);
    return candidateLines(deployments);
  } catch {
    return [];
  }
}
