/** Registers the `yotta deploy` command group: one file per verb beside this one. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerCreate } from './create.js';
import { registerList } from './list.js';
import { registerGet } from './get.js';
import { registerUpdate } from './update.js';
import { registerStart } from './start.js';
import { registerStop } from './stop.js';
import { registerDelete } from './delete.js';
import { registerScale } from './scale.js';
import { registerWorkers } from './workers.js';
import { registerWait } from './wait.js';
import { registerApply } from './apply.js';
import { registerDiff } from './diff.js';

/** Adds `deploy` and its verbs to the program. */
export function registerDeployCommands(program: Command, ctx: Context): void {
  const group = program
    .command('deploy')
    .description('create, list, change and remove Elastic Deployments')
    .addHelpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy create -f deploy.yaml --wait
  $ yotta deploy list --status running,initializing
  $ yotta deploy scale llama-3-8b 4
  $ yotta deploy list --json | jq -r '.[] | select(.status == "RUNNING") | .id'`,
    );
  registerCreate(group, ctx);
  registerList(group, ctx);
  registerGet(group, ctx);
  registerUpdate(group, ctx);
  registerStart(group, ctx);
  registerStop(group, ctx);
  registerDelete(group, ctx);
  registerScale(group, ctx);
  registerWorkers(group, ctx);
  registerWait(group, ctx);
  registerApply(group, ctx);
  registerDiff(group, ctx);
}
