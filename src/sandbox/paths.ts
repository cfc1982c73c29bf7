/** Where the sandbox keeps its state by default; a light module so `--sandbox` can find it without loading the emulator. */
import { join } from 'node:path';
import type { Context } from '../context.js';
import { configDir } from '../config/paths.js';

/** File name of the sandbox state inside the config folder. */
export const SANDBOX_STATE_FILE_NAME = 'sandbox-state.json';

/** `<configDir>/sandbox-state.json`: shared by `yotta sandbox` and `yotta --sandbox ...`. */
export function defaultSandboxStatePath(ctx: Pick<Context, 'env' | 'homeDir' | 'cwd'>): string {
  return join(configDir(ctx), SANDBOX_STATE_FILE_NAME);
}
