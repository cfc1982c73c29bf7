/** `yotta auth status`: which key is in use, where it came from, the base URL, and whether the API accepts the key. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { isInterruption, AuthError, UsageError } from '../../errors.js';
import { displayKey } from '../../redact.js';
import { jsonText } from '../../text.js';
import type { Ui } from '../../output/ui.js';
import { createUi } from '../../output/ui.js';
import type { ApiKeySource, BaseUrlSource, ResolvedSettings } from '../../config/settings.js';
import { describeApiKeySource, describeBaseUrlSource, requireApiKey, resolveSettings } from '../../config/settings.js';
import { checkKeyWithApi, isKeyRejected } from '../../services/verify-key.js';

/** What `auth status --json` prints. The key only ever appears masked. */
export interface AuthStatus {
  profile: string;
  /** Masked (`yk-…c123`), or null when there is no key. */
  apiKey: string | null;
  apiKeySource: ApiKeySource | null;
  /** Human words for apiKeySource, naming the file or variable. */
  apiKeyFrom: string | null;
  baseUrl: string;
  baseUrlSource: BaseUrlSource;
  baseUrlFrom: string;
  configFile: string;
  /** true: the API accepted the key; false: it refused it; null: not checked (no key). */
  accepted: boolean | null;
}

/** Adds `auth status`. */
export function registerStatus(group: Command, ctx: Context): void {
  group
    .command('status')
    .description('show which API key is used, where it comes from, and whether the API accepts it')
    .addHelpText(
      'after',
      `
Shows the key masked (e.g. yk-…c123) with its source (YOTTA_API_KEY, a profile of yotta's
config file, or a section of ~/.yotta/config), the base URL with its source, and the answer
of one API call (list deployments). Exits 3 when there is no key or the API refuses it.
--json prints the same as one object; --profile chooses the profile.

Examples:
  $ yotta auth status
  $ yotta --profile staging auth status --json`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await runStatus(globalsOf(cmd), ctx);
    });
}

/** Resolves the settings, checks the key with the API and prints the result; exit 3 when no key or refused. */
export async function runStatus(g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  if (g.sandbox) {
    throw new UsageError('the sandbox needs no API key', 'Drop --sandbox to see the key yotta uses for Yotta.');
  }
  const settings = await resolveSettings(ctx, g);
  const status = statusOf(settings);
  if (!settings.apiKey) await print(ui, status);
  // Throws AuthError (exit 3) naming the three ways to give a key, or a key that cannot be sent.
  requireApiKey(settings);
  try {
    await checkKeyWithApi(ctx, g, ui);
  } catch (err) {
    if (!isKeyRejected(err)) {
      // The API could not be asked (network down, server error): what is known locally is still shown.
      if (!isInterruption(err, ctx.signal)) await print(ui, status);
      throw err;
    }
    await print(ui, { ...status, accepted: false });
    throw new AuthError(
      `the API at ${settings.baseUrl} rejected the key from ${status.apiKeyFrom} (HTTP ${err.httpStatus})`,
      settings.apiKeySource === 'env'
        ? 'YOTTA_API_KEY wins over any stored key: correct or unset that variable.'
        : 'Store a valid key with `yotta auth login`.',
    );
  }
  await print(ui, { ...status, accepted: true });
}

function statusOf(s: ResolvedSettings): AuthStatus {
  return {
    profile: s.profile,
    apiKey: s.apiKey ? displayKey(s.apiKey) : null,
    apiKeySource: s.apiKeySource ?? null,
    apiKeyFrom: describeApiKeySource(s) ?? null,
    baseUrl: s.baseUrl,
    baseUrlSource: s.baseUrlSource,
    baseUrlFrom: describeBaseUrlSource(s),
    configFile: s.configFile,
    accepted: null,
  };
}

async function print(ui: Ui, st: AuthStatus): Promise<void> {
  if (ui.format === 'json') {
    ui.out(jsonText(st, 2));
    return;
  }
  if (ui.format === 'yaml') {
    const { stringify } = await import('yaml');
    ui.out(stringify(st));
    return;
  }
  const api = st.accepted === true ? ui.outColors.green('key accepted') : st.accepted === false ? ui.outColors.red('key rejected') : 'not checked';
  ui.out(
    [
      `Profile:   ${st.profile}`,
      `API key:   ${st.apiKey ? `${st.apiKey}  (from ${st.apiKeyFrom})` : 'none'}`,
      `Base URL:  ${st.baseUrl}  (from ${st.baseUrlFrom})`,
      `API:       ${api}`,
    ].join('\n'),
  );
}
