/** `yotta auth logout`: remove the stored key of a profile. Leaves ~/.yotta/config and the environment alone. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { YottaError } from '../../errors.js';
import { jsonText } from '../../text.js';
import { createUi } from '../../output/ui.js';
import { chosenProfile } from '../../config/settings.js';
import { configFilePath, officialConfigPath } from '../../config/paths.js';
import { getProfile, readConfigFile, updateConfig } from '../../config/store.js';
import { readOfficialProfile } from '../../config/official-cli.js';

/** Adds `auth logout`. */
export function registerLogout(group: Command, ctx: Context): void {
  group
    .command('logout')
    .description("remove the stored API key of a profile (other settings of the profile stay)")
    .addHelpText(
      'after',
      `
Removes the key that \`yotta auth login\` stored in the profile chosen by --profile (or
YOTTA_PROFILE; default "default"). It does not touch ~/.yotta/config (the file of Yotta's
official CLI) or YOTTA_API_KEY, and says so when a key remains there.

Examples:
  $ yotta auth logout
  $ yotta --profile staging auth logout`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await runLogout(globalsOf(cmd), ctx);
    });
}

/** Removes the stored key; exit 0 whether or not one was stored. */
export async function runLogout(g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  const profile = chosenProfile(ctx, g);
  const file = configFilePath(ctx);
  // Looked at first without the lock, so that logging out of nothing creates no folder or lock file.
  const stored = getProfile(await readConfigFile(file), profile)?.['api-key'] !== undefined;
  const removed =
    stored &&
    (
      await updateConfig(ctx, (cfg) => {
        const p = getProfile(cfg, profile);
        if (!p || p['api-key'] === undefined) return false;
        delete p['api-key'];
        // A profile that held only the key goes with it, so `config list --all` does not show empty ones.
        if (Object.keys(p).length === 0) delete cfg.profiles[profile];
        return true;
      })
    ).written;

  const remaining: string[] = [];
  if (ctx.env.YOTTA_API_KEY?.trim()) remaining.push('YOTTA_API_KEY');
  const officialFile = officialConfigPath(ctx);
  try {
    if ((await readOfficialProfile(officialFile, profile))?.apiKey) remaining.push(officialFile);
  } catch (err) {
    if (!(err instanceof YottaError)) throw err;
    ui.warn(`could not check ${officialFile} for a key: ${err.message}`);
  }

  if (ui.machine) {
    ui.out(jsonText({ profile, file, removed, keyStillAvailableFrom: remaining }, 2));
  } else if (removed) {
    ui.success(`Removed the API key of profile "${profile}" from ${file}`);
  } else {
    ui.info(`No API key is stored for profile "${profile}" in ${file}; nothing to remove.`);
  }
  if (remaining.includes('YOTTA_API_KEY')) {
    ui.warn('YOTTA_API_KEY is still set in your environment, and yotta keeps using it.');
  }
  if (remaining.includes(officialFile)) {
    ui.warn(
      `a key remains in section [${profile}] of ${officialFile} (the file of Yotta's official CLI), and yotta keeps using it; yotta never edits that file.`,
    );
  }
}
