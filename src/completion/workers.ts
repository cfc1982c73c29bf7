/**
 * Worker ids for shell completion (`yotta __complete workers <id|name>`), for `deploy logs --worker`.
 * Workers change with every scale and restart, so nothing is cached: one bounded request (two for a
 * name), and any failure offers nothing.
 */
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import { COMPLETION_FETCH_TIMEOUT_MS } from './deployments.js';

// What may reach a shell: ids of letters, digits, _ and - (worker ids are digits), statuses upper-case words.
const WORKER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STATUS = /^[A-Z_]+$/;

/** Candidate lines `id<TAB>status` for the workers of deployment `ref`; [] on any failure. */
export async function completeWorkers(ctx: Context, g: GlobalOptions, ref: string | undefined): Promise<string[]> {
  try {
    if (!ref || !/^[A-Za-z0-9@._-]+$/.test(ref)) return [];
    const [{ createUi }, { withSession }, { listDeployments, listWorkers }] = await Promise.all([
      import('../output/ui.js'),
      import('../session.js'),
      import('../api/deployments.js'),
    ]);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(COMPLETION_FETCH_TIMEOUT_MS)]);
    const bounded: Context = { ...ctx, signal };
    const quietG: GlobalOptions = { ...g, timeout: COMPLETION_FETCH_TIMEOUT_MS, debug: false, quiet: true, input: false };
    const workers = await withSession(bounded, quietG, createUi(bounded, quietG), async (s) => {
      // An id as it is; a name only when exactly one deployment has it (completion never guesses).
      let id = ref;
      if (!/^\d{15,20}$/.test(ref)) {
        const named = (await listDeployments(s.client)).filter((d) => d.name === ref);
        if (named.length !== 1) return [];
        id = String(named[0]!.id);
      }
      return listWorkers(s.client, id);
    });
    return workers
      .map((w) => ({ id: String(w.id ?? ''), status: String(w.status ?? '') }))
      .filter((w) => WORKER_ID.test(w.id))
      .map((w) => (STATUS.test(w.status) ? `${w.id}\t${w.status}` : w.id));
  } catch {
    return [];
  }
}
