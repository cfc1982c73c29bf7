/**
 * Where yotta keeps its configuration, and where Yotta's official Python CLI keeps its own.
 * Pure path arithmetic: nothing here touches the file system, so it is cheap on every start.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../context.js';

/** Name of our config file inside configDir(). */
export const CONFIG_FILE_NAME = 'config.json';

/**
 * The folder of our config: `YOTTA_CONFIG_DIR`, else `$XDG_CONFIG_HOME/yotta`, else `~/.config/yotta`.
 * A relative `YOTTA_CONFIG_DIR` is taken from the working directory; a relative `XDG_CONFIG_HOME`
 * is ignored, as the XDG Base Directory spec requires.
 */
export function configDir(ctx: Pick<Context, 'env' | 'homeDir' | 'cwd'>): string {
  const own = ctx.env.YOTTA_CONFIG_DIR;
  if (own) return resolve(ctx.cwd, own);
  const xdg = ctx.env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'yotta');
  return join(ctx.homeDir, '.config', 'yotta');
}

/** Full path of our config file. */
export function configFilePath(ctx: Pick<Context, 'env' | 'homeDir' | 'cwd'>): string {
  return join(configDir(ctx), CONFIG_FILE_NAME);
}

/** Full path of the INI file Yotta's official Python CLI writes (`~/.yotta/config`); we only read it. */
export function officialConfigPath(ctx: Pick<Context, 'homeDir'>): string {
  return join(ctx.homeDir, '.yotta', 'config');
}
