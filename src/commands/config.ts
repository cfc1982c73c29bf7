/** Registers `yotta config get|set|unset|list`: the settings of a profile in yotta's config file. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import { globalsOf } from '../globals.js';
import { UsageError } from '../errors.js';
import { looksSecret } from '../redact.js';
import type { Ui } from '../output/ui.js';
import { createUi } from '../output/ui.js';
import { chosenProfile } from '../config/settings.js';
import { configFilePath } from '../config/paths.js';
import type { ConfigFile, ProfileConfig } from '../config/store.js';
import { getProfile, readConfigFile, updateConfig } from '../config/store.js';
import { CONFIG_KEY_HELP, CONFIG_KEYS, checkConfigKey, normalizeConfigValue } from '../config/keys.js';

const KEYS_HELP = `
Keys:
${CONFIG_KEYS.map((k) => `  ${k.padEnd(13)} ${CONFIG_KEY_HELP[k]}`).join('\n')}
The API key is stored by \`yotta auth login\` and removed by \`yotta auth logout\`; it is never shown.`;

/** Adds the `config` group. */
export function registerConfigCommands(program: Command, ctx: Context): void {
  const group = program
    .command('config')
    .description("read and change a profile's settings (base URL, output format, wait timeout)")
    .helpCommand(false)
    .addHelpText(
      'after',
      `${KEYS_HELP}
Settings are per profile: --profile NAME (or YOTTA_PROFILE) picks one; "default" otherwise.

Examples:
  $ yotta config set output json
  $ yotta --profile staging config set base-url https://staging.example.com
  $ yotta config list --all`,
    );

  group
    .command('get')
    .description('print the stored value of one key')
    .argument('<key>', `one of: ${CONFIG_KEYS.join(', ')}`)
    .addHelpText(
      'after',
      `
Prints the value, or nothing (exit 0) when the key is not set in the profile.
With --json: {"profile", "key", "value"} (value null when not set).

Examples:
  $ yotta config get output
  $ yotta --profile staging config get base-url --json`,
    )
    .action(async (key: string, _opts: unknown, cmd: Command) => {
      await runConfigGet(key, globalsOf(cmd), ctx);
    });

  group
    .command('set')
    .description('store the value of one key in the profile')
    .argument('<key>', `one of: ${CONFIG_KEYS.join(', ')}`)
    .argument('<value>', 'the value; it is checked before it is stored')
    .addHelpText(
      'after',
      `${KEYS_HELP}

Examples:
  $ yotta config set output wide
  $ yotta config set wait-timeout 20m
  $ yotta --profile local config set base-url http://127.0.0.1:8080`,
    )
    .action(async (key: string, value: string, _opts: unknown, cmd: Command) => {
      await runConfigSet(key, value, globalsOf(cmd), ctx);
    });

  group
    .command('unset')
    .description('remove one key from the profile (its built-in default applies again)')
    .argument('<key>', `one of: ${CONFIG_KEYS.join(', ')}`)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta config unset base-url
  $ yotta --profile staging config unset output`,
    )
    .action(async (key: string, _opts: unknown, cmd: Command) => {
      await runConfigUnset(key, globalsOf(cmd), ctx);
    });

  group
    .command('list')
    .description('show the settings stored in the profile (the API key only as "(set)")')
    .option('--all', 'show every profile in the file, not only the chosen one')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta config list
  $ yotta config list --all --json`,
    )
    .action(async (opts: ConfigListOptions, cmd: Command) => {
      await runConfigList(opts, globalsOf(cmd), ctx);
    });
}

async function printDoc(ui: Ui, value: unknown): Promise<void> {
  if (ui.format === 'yaml') {
    const { stringify } = await import('yaml');
    ui.out(stringify(value));
  } else {
    ui.out(JSON.stringify(value, null, 2));
  }
}

/** `config get`: prints a stored value, or nothing when it is not set. */
export async function runConfigGet(key: string, g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  const k = checkConfigKey(key, 'get');
  const profile = chosenProfile(ctx, g);
  const file = configFilePath(ctx);
  const stored = getProfile(await readConfigFile(file), profile)?.[k];
  const value = typeof stored === 'string' ? stored : null;
  if (ui.machine) {
    await printDoc(ui, { profile, key: k, value });
  } else if (value !== null) {
    ui.out(value);
  } else {
    ui.info(`${k} is not set in profile "${profile}" (${file}).`);
  }
}

/** `config set`: checks and stores a value. */
export async function runConfigSet(key: string, value: string, g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  const k = checkConfigKey(key, 'set');
  const profile = chosenProfile(ctx, g);
  const stored = normalizeConfigValue(k, value);
  const result = await updateConfig(ctx, (cfg) => {
    const current = getProfile(cfg, profile);
    if (current?.[k] === stored) return false;
    cfg.profiles[profile] = { ...current, [k]: stored };
    return true;
  });
  if (ui.machine) await printDoc(ui, { profile, key: k, value: stored, file: result.file });
  else ui.success(`Set ${k} = ${stored} in profile "${profile}" (${result.file})`);
}

/** `config unset`: removes a key; says so when it was not set. */
export async function runConfigUnset(key: string, g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  const k = checkConfigKey(key, 'unset');
  const profile = chosenProfile(ctx, g);
  const file = configFilePath(ctx);
  // Looked at first without the lock, so that unsetting what is not there creates no folder or lock file.
  const present = getProfile(await readConfigFile(file), profile)?.[k] !== undefined;
  const removed =
    present &&
    (
      await updateConfig(ctx, (cfg) => {
        const p = getProfile(cfg, profile);
        if (!p || p[k] === undefined) return false;
        delete p[k];
        if (Object.keys(p).length === 0) delete cfg.profiles[profile];
        return true;
      })
    ).written;
  if (ui.machine) await printDoc(ui, { profile, key: k, removed, file });
  else if (removed) ui.success(`Removed ${k} from profile "${profile}" (${file})`);
  else ui.info(`${k} is not set in profile "${profile}" (${file}); nothing to remove.`);
}

/** Options of `config list`. */
export interface ConfigListOptions {
  all?: boolean;
}

/** A profile as `list` shows it: the key and anything secret-looking only as "(set)". */
function shown(p: ProfileConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    out[k] = k === 'api-key' || looksSecret(k) ? '(set)' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function profileLines(values: Record<string, string>): string[] {
  const width = Math.max(0, ...Object.keys(values).map((k) => k.length));
  return Object.entries(values).map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

/** `config list`: the chosen profile's settings, or every profile's with --all. */
export async function runConfigList(opts: ConfigListOptions, g: GlobalOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, g);
  const file = configFilePath(ctx);
  const cfg: ConfigFile = await readConfigFile(file);
  if (opts.all) {
    if (g.profile) throw new UsageError('--all shows every profile; drop --profile, or drop --all');
    const profiles = Object.fromEntries(Object.entries(cfg.profiles).map(([name, p]) => [name, shown(p)]));
    if (ui.machine) {
      await printDoc(ui, { file, profiles });
      return;
    }
    const names = Object.keys(profiles);
    if (names.length === 0) {
      ui.info(`No profiles in ${file}.`);
      return;
    }
    ui.out(names.map((name) => [`[${name}]`, ...profileLines(profiles[name]!)].join('\n')).join('\n\n'));
    return;
  }
  const profile = chosenProfile(ctx, g);
  const values = shown(getProfile(cfg, profile) ?? {});
  if (ui.machine) {
    await printDoc(ui, { profile, file, settings: values });
  } else if (Object.keys(values).length === 0) {
    ui.info(`Profile "${profile}" has no settings in ${file}.`);
  } else {
    ui.out(profileLines(values).join('\n'));
  }
}
