/** Registers `yotta config get|set|unset|list`. */
import type { Command } from 'commander';
import type { Context } from '../context.js';

/** Adds the `config` group. */
export function registerConfigCommands(_program: Command, _ctx: Context): void {}
