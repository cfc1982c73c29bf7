/** Registers `yotta sandbox`, the local API emulator. */
import type { Command } from 'commander';
import type { Context } from '../context.js';

/** Adds the `sandbox` command. */
export function registerSandboxCommand(_program: Command, _ctx: Context): void {}
