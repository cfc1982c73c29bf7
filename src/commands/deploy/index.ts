/** Registers the `yotta deploy` command group. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';

/** Adds `deploy` and its verbs to the program. */
export function registerDeployCommands(program: Command, _ctx: Context): void {
  program.command('deploy').description('create, list, change and remove Elastic Deployments');
}
