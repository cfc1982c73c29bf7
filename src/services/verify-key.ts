/**
 * Asking the API whether it accepts a key: one cheap authenticated call (list deployments), through
 * the same session as every other command so that --debug, --timeout, proxies and Ctrl-C behave alike.
 */
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import type { Ui } from '../output/ui.js';
import { ApiError, ExitCode } from '../errors.js';
import { withSession } from '../session.js';
import { listDeployments } from '../api/deployments.js';

/** Whether an error means "the API does not accept this key" (HTTP 401/403, exit 3). */
export function isKeyRejected(err: unknown): err is ApiError {
  return err instanceof ApiError && err.exitCode === ExitCode.AUTH;
}

/**
 * Sends one request with `apiKey` (or, when absent, the key the settings resolve to) and resolves when
 * the API accepts it. Throws the API's error otherwise (isKeyRejected tells a refused key apart).
 */
export async function checkKeyWithApi(ctx: Context, g: GlobalOptions, ui: Ui, apiKey?: string): Promise<void> {
  // A key being logged in is not stored anywhere yet; handing it to the session as the highest-precedence
  // source (an in-memory copy of the environment, never the process's) keeps one code path for both uses.
  const session = apiKey === undefined ? ctx : { ...ctx, env: { ...ctx.env, YOTTA_API_KEY: apiKey } };
  await withSession(session, g, ui, (s) => listDeployments(s.client));
}
