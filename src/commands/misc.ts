/** Registers small top-level commands (`gpus`, `completion`). */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { registerGpus } from './gpus.js';
import { registerCompletion } from './completion.js';

/** Adds the small top-level commands: `gpus`, `completion` (and the hidden `__complete` it uses). */
export function registerMiscCommands(program: Command, ctx: Context): void {
  registerGpus(program, ctx);
  registerCompletion(program, ctx);
}
