/**
 * Registry credential names and ids for shell completion (`yotta __complete credentials`): one list
 * call bounded by a short deadline, and every failure simply offers nothing. Credentials are few and
 * a TAB on them is rare, so unlike deployments they are not cached.
 */
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import type { RegistryCredential } from '../api/credentials.js';
import { COMPLETION_FETCH_TIMEOUT_MS } from './deployments.js';

// Only what is safe to hand to a shell: digit ids, names of plain characters, upper-case types.
const ID = /^\d{1,20}$/;
const NAME = /^[A-Za-z0-9@._-]+$/;
const TYPE = /^[A-Z_]+$/;

/** Candidate lines `value<TAB>description`: each name (with its type), then each id (with its name). */
export function credentialCandidateLines(list: readonly RegistryCredential[]): string[] {
  const names: string[] = [];
  const ids: string[] = [];
  for (const c of list) {
    const name = typeof c.name === 'string' && NAME.test(c.name) && !/^\d+$/.test(c.name) ? c.name : '';
    const type = typeof c.type === 'string' && TYPE.test(c.type) ? c.type : '';
    if (name && !names.some((l) => l.split('\t')[0] === name)) names.push(`${name}\t${type}`);
    if (ID.test(String(c.id))) ids.push(`${String(c.id)}\t${name}`);
  }
  return [...names, ...ids].map((l) => l.replace(/\t$/, ''));
}

/** The candidate lines for `yotta __complete credentials`. Never throws: any failure gives no lines. */
export async function completeCredentials(ctx: Context, g: GlobalOptions): Promise<string[]> {
  try {
    const [{ createUi }, { withSession }, { listCredentials }] = await Promise.all([
      import('../output/ui.js'),
      import('../session.js'),
      import('../api/credentials.js'),
    ]);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(COMPLETION_FETCH_TIMEOUT_MS)]);
    const bounded: Context = { ...ctx, signal };
    const quietG: GlobalOptions = { ...g, timeout: COMPLETION_FETCH_TIMEOUT_MS, debug: false, quiet: true, input: false };
    return credentialCandidateLines(await withSession(bounded, quietG, createUi(bounded, quietG), (s) => listCredentials(s.client)));
  } catch {
    return [];
  }
}
