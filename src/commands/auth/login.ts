/** `yotta auth login`: read a key (hidden prompt or stdin), check it with the API, store it in the profile. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { AuthError, UsageError } from '../../errors.js';
import { displayKey } from '../../redact.js';
import { jsonText } from '../../text.js';
import { createUi } from '../../output/ui.js';
import { chosenProfile, keyHasBadCharacters, resolveSettings } from '../../config/settings.js';
import { readAllStdin, readHiddenLine } from '../../config/prompt.js';
import { checkKeyWithApi, isKeyRejected } from '../../services/verify-key.js';
import { readConfigFile, updateConfig } from '../../config/store.js';
import { configFilePath } from '../../config/paths.js';

/** Options of `auth login`. */
export interface LoginOptions {
  /** Read the key from stdin instead of prompting. */
  withToken?: boolean;
}

/** The prompt of the hidden key input. */
export const KEY_PROMPT = 'Paste your Yotta API key: ';

/** Adds `auth login`. */
export function registerLogin(group: Command, ctx: Context): void {
  group
    .command('login')
    .description('store an API key in a profile, after checking it with the API')
    .option('--with-token', 'read the key from standard input instead of asking for it (for scripts)')
    .addHelpText(
      'after',
      `
On a terminal the key is asked for with hidden input. No flag takes the key itself, so it never
lands in your shell history or the process list. The key is checked with one API call
(list deployments) and saved only if the API accepts it, to the profile chosen by --profile
(or YOTTA_PROFILE; default "default"). A --base-url given on this command is saved to the
profile as well; YOTTA_BASE_URL is used for the check but not saved.

Examples:
  $ yotta auth login
  $ yotta auth login --with-token < key.txt
  $ yotta --profile staging --base-url https://staging.example.com auth login`,
    )
    .action(async (opts: LoginOptions, cmd: Command) => {
      await runLogin(opts, globalsOf(cmd), ctx);
    });
}

/** Reads, checks and stores a key. Nothing is saved unless the API accepts the key. */
export async function runLogin(opts: LoginOptions, g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  if (g.sandbox) {
    throw new UsageError('the sandbox needs no login: it accepts any command without a key', 'Drop --sandbox to log in to Yotta.');
  }
  const profile = chosenProfile(ctx, g);
  const file = configFilePath(ctx);
  // A config file that cannot be read (so will not be written) fails now, before the key is asked for or sent.
  await readConfigFile(file);

  let raw: string;
  if (opts.withToken) {
    raw = await readAllStdin(ctx);
  } else if (ui.interactive) {
    raw = await readHiddenLine(ctx, KEY_PROMPT);
  } else {
    const why = g.input === false ? '--no-input forbids the prompt' : 'standard input is not a terminal, so the key cannot be asked for';
    throw new UsageError(`${why}`, 'Pass the key on standard input: `yotta auth login --with-token < key.txt`.');
  }
  const key = raw.trim();
  if (key === '') throw new UsageError('no API key given', opts.withToken ? 'Standard input was empty.' : undefined);
  if (keyHasBadCharacters(key)) {
    throw new UsageError('the API key contains spaces or control characters', 'Give the key alone, on one line.');
  }

  const settings = await resolveSettings(ctx, g);
  ui.info(`Checking the key with ${settings.baseUrl} …`);
  try {
    await checkKeyWithApi(ctx, g, ui, key);
  } catch (err) {
    if (isKeyRejected(err)) {
      throw new AuthError(
        `the API at ${settings.baseUrl} rejected the key (HTTP ${err.httpStatus}); nothing was saved`,
        'Check that you copied the whole key, and that it belongs to this base URL.',
      );
    }
    throw err;
  }

  const saveBaseUrl = settings.baseUrlSource === 'flag' ? settings.baseUrl.replace(/\/+$/, '') : undefined;
  const result = await updateConfig(ctx, (cfg) => {
    const current = Object.hasOwn(cfg.profiles, profile) ? cfg.profiles[profile] : undefined;
    cfg.profiles[profile] = { ...current, 'api-key': key, ...(saveBaseUrl ? { 'base-url': saveBaseUrl } : {}) };
    return true;
  });
  if (ui.machine) {
    ui.out(
      jsonText({ profile, file: result.file, apiKey: displayKey(key), ...(saveBaseUrl ? { baseUrl: saveBaseUrl } : {}) }, 2),
    );
  } else {
    ui.success(`Saved API key ${displayKey(key)} to profile "${profile}" in ${result.file}`);
    if (saveBaseUrl) ui.info(`Saved base URL ${saveBaseUrl} to the same profile.`);
  }
  if (ctx.env.YOTTA_API_KEY?.trim()) {
    ui.warn('YOTTA_API_KEY is set in your environment and is used before the stored key; unset it to use this one.');
  }
}
