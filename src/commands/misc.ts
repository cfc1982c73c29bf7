/** Registers small top-level commands (`gpus`, `completion`). */
import type { Command } from 'commander';
import type { Context } from '../context.js';

/** Adds the small top-level commands. */
export function registerMiscCommands(_program: Command, _ctx: Context): void {}
