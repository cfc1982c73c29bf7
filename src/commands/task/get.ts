/** `yotta task get`: one task in full: status, timings, input, output, error (secrets masked). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getTask, checkTaskRef } from '../../api/tasks.js';
import { printMachine } from '../../output/render.js';
import { maskTask, renderTask } from '../../output/tasks.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { explainTaskNotFound, resolveDeployment } from './common.js';

/** Options of `task get`. */
export interface TaskGetOptions {
  ref: string;
  taskId: string;
  g: GlobalOptions;
}

/** Adds `task get` to the group. */
export function registerTaskGet(group: Command, ctx: Context): void {
  group
    .command('get')
    .summary('show one task: status, timings, input, output, error')
    .description(
      "Show one task of a QUEUE deployment: its status, timings, input, output and error. --json prints the API's data, " +
        'with the webhook key and secret-looking forwarded headers (Authorization...) masked, as in every form.',
    )
    .argument('<id|name>', 'the QUEUE deployment: id (18 digits) or exact name')
    .argument('<taskId>', 'the task id, as `task submit` printed it')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta task get my-queue "$(yotta task submit my-queue -d '{"prompt": "Hi"}' --path /v1/completions)"
  $ yotta task get my-queue "$(yotta task list my-queue -o id --limit 1)" --json | jq .output`,
    )
    .action(async (ref: string, taskId: string, _opts: unknown, command: Command) => {
      await runTaskGet({ ref, taskId, g: globalsOf(command) }, ctx);
    });
}

/** Prints one task. */
export async function runTaskGet(o: TaskGetOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  const taskId = checkTaskRef(o.taskId);
  const ui = createUi(ctx, o.g);
  const task = await withSession(ctx, o.g, ui, async (session) => {
    const id = await resolveDeployment(session, ref);
    try {
      return await getTask(session.client, id, taskId);
    } catch (err) {
      throw explainTaskNotFound(err, taskId, ref);
    }
  });
  const masked = maskTask(task);
  if (!(await printMachine(ui, masked))) ui.out(renderTask(ui, masked));
}
