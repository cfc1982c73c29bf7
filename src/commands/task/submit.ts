/** `yotta task submit`: one task (optionally waited for), or with --jsonl one per input line. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import type { SubmitTaskRequest, Task } from '../../api/types.js';
import type { Ui } from '../../output/ui.js';
import type { BatchInput } from '../../services/task-submit.js';
import { globalsOf, collect } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { parseDuration, formatDuration } from '../../duration.js';
import { ExitCode, PartialFailureError, UsageError, WaitTimeoutError, YottaError } from '../../errors.js';
import { TASK_ID_PATTERN } from '../../api/tasks.js';
import { looksSecret } from '../../redact.js';
import { escapeControls } from '../../text.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { dataText, describeSource, parseJson, readData, readHeaders, readSecretFromStdin, readsStdin } from '../request-input.js';
import { explainTaskNotFound, queueDeployment, taskWaitTimeout } from './common.js';
import { rememberTasks } from '../../completion/recent-tasks.js';
import { TASK_CAP, batchExitCode, checkCommand, newTaskId, submitBatch, submitOnce } from '../../services/task-submit.js';
import { waitForTasks } from '../../services/task-wait.js';
import { maskTask } from '../../output/tasks.js';
import { printMachine } from '../../output/render.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Options of `task submit`. */
export interface SubmitOptions {
  ref: string;
  /** `-d`: JSON text, `@file` or `@-`. */
  data: string;
  port?: number;
  path?: string;
  taskId?: string;
  webhook?: string;
  webhookKeyStdin?: boolean;
  webhookKeyFile?: string;
  /** `-H` values as typed. */
  header?: string[];
  wait?: boolean;
  waitTimeout?: number;
  jsonl?: boolean;
  g: GlobalOptions;
}

function parsePort(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 65535) throw new UsageError(`--port: "${v}" is not a port number (1-65535)`);
  return Number(v);
}

/** Adds `task submit` to the group. */
export function registerSubmit(group: Command, ctx: Context): void {
  group
    .command('submit')
    .summary('submit a task (or, with --jsonl, one per input line) to a QUEUE deployment')
    .description(
      'Submit a task to a QUEUE deployment: its input is the JSON of -d. yotta gives every task an id (or uses --task-id), ' +
        'so a submission whose reply is lost is looked up once and reported as submitted or not; it is never sent twice on its own. ' +
        'Prints the task id; with --wait, waits for the task to end and prints its output. With --jsonl, each line of the ' +
        'data is one task\'s input: they are submitted with bounded concurrency (at most 40 a second, the documented limit), and ' +
        'one result line {"line", "taskId", "ok", "error"} is printed per input line, in input order.',
    )
    .argument('<id|name>', 'the QUEUE deployment: id (18 digits) or exact name')
    .requiredOption('-d, --data <json|@file|@->', "the task's input: JSON text, @file to read a file, @- to read standard input")
    .requiredOption('--path <route>', 'the route on the worker that processes the task, e.g. /v1/chat/completions')
    .addOption(new Option('--port <n>', "the worker's port (default: the deployment's expose.port)").argParser(parsePort))
    .option('--task-id <id>', 'the task id (letters, digits, _; at most 255); default: a new random id')
    .option('--webhook <url>', 'URL the result is delivered to when the task ends (then it ends DELIVERED)')
    .option('--webhook-key-stdin', "read the webhook's auth key from standard input (never from the command line)")
    .option('--webhook-key-file <path>', "read the webhook's auth key from the first line of a file")
    .option('-H, --header <header|@file>', "a header forwarded to the worker, 'Name: value'; @file reads one a line (for secrets: Authorization) (repeatable)", collect)
    .option('--wait', 'wait until the task ends and print its output (exit 9 if it FAILED, 8 on timeout)')
    .addOption(new Option('--wait-timeout <duration>', 'with --wait: how long to wait, e.g. 30s, 10m (default 10m)').argParser((v) => parseDuration(v, '--wait-timeout')))
    .option('--jsonl', 'one task per line of the data (JSON Lines); prints one result line per input line')
    .addHelpText(
      'after',
      `
Exit codes: 0 submitted (with --wait: ended SUCCESS or DELIVERED); 7 the reply was lost and the
task was not found, or could not be looked up; 8 --wait timed out; 9 the task FAILED; 10 some
--jsonl lines failed.

Examples:
  $ yotta task submit my-queue -d '{"prompt": "Hello"}' --path /v1/completions
  $ yotta task submit my-queue -d '{"prompt": "Hello"}' --path /v1/completions --wait
  $ printf '{"prompt": "one"}\\n{"prompt": "two"}\\n' | yotta task submit my-queue -d @- --jsonl --path /v1/completions
  $ yotta task submit my-queue -d '{"prompt": "Hi"}' --path /v1/completions --task-id job_0001 --json`,
    )
    .action(async (ref: string, opts: Omit<SubmitOptions, 'ref' | 'g'>, command: Command) => {
      await runSubmit({ ...opts, ref, g: globalsOf(command) }, ctx);
    });
}

/** Checks the flags that need no reading: nothing is sent when one is wrong. */
function checkFlags(o: SubmitOptions): void {
  const path = o.path ?? '';
  if (!path.startsWith('/') || path.length > 255 || /\s/.test(path)) {
    throw new UsageError(`--path: "${path}" is not a worker route; give a path starting with / (at most 255 characters, no spaces), e.g. /v1/chat/completions`);
  }
  if (o.taskId !== undefined && !TASK_ID_PATTERN.test(o.taskId)) {
    throw new UsageError(`--task-id: "${o.taskId}" is not a task id; use letters, digits and _ (at most 255)`);
  }
  if (o.webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || o.webhook.length > 512) {
      throw new UsageError(`--webhook: "${o.webhook}" is not an http(s) URL of at most 512 characters`);
    }
  }
  if ((o.webhookKeyStdin || o.webhookKeyFile) && o.webhook === undefined) throw new UsageError('--webhook-key-stdin and --webhook-key-file need --webhook');
  if (o.webhookKeyStdin && o.webhookKeyFile) throw new UsageError('--webhook-key-stdin and --webhook-key-file both give the webhook key; give one');
  const stdinUsers = [readsStdin(o.data) && '-d @-', o.webhookKeyStdin && '--webhook-key-stdin', (o.header ?? []).includes('@-') && '-H @-'].filter(Boolean);
  if (stdinUsers.length > 1) throw new UsageError(`${stdinUsers.join(' and ')} both read standard input; give one of them a file instead`);
  if (o.jsonl && o.taskId !== undefined) throw new UsageError('--task-id names one task; with --jsonl every line gets its own id');
  if (o.jsonl && o.wait) {
    throw new UsageError('--wait waits for one task; with --jsonl, wait for the ids printed', "For example: ... --jsonl | jq -r 'select(.ok) | .taskId' | xargs yotta task wait <deployment>");
  }
  if (o.waitTimeout !== undefined && !o.wait) throw new UsageError('--wait-timeout needs --wait');
}

async function readWebhookKey(ctx: Context, o: SubmitOptions): Promise<string | undefined> {
  if (o.webhookKeyStdin) return readSecretFromStdin(ctx, '--webhook-key-stdin');
  if (!o.webhookKeyFile) return undefined;
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, o.webhookKeyFile), 'utf8');
  } catch (err) {
    throw new UsageError(`--webhook-key-file ${o.webhookKeyFile}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const key = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (key === '') throw new UsageError(`--webhook-key-file ${o.webhookKeyFile}: the file is empty`);
  if (key.length > 255) throw new UsageError(`--webhook-key-file ${o.webhookKeyFile}: the key is longer than 255 characters`);
  return key;
}

/** The inputs of a --jsonl batch: one per non-blank line; a line that is not JSON fails alone. */
function batchInputs(text: string, where: string): BatchInput[] {
  const out: BatchInput[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push({ line: i + 1, input: JSON.parse(line) });
    } catch (err) {
      out.push({ line: i + 1, problem: `line ${i + 1} of ${where} is not valid JSON (${(err as Error).message})` });
    }
  });
  return out;
}

/** A task's output on stdout: a string as it is (escaped on a terminal), anything else as JSON. */
function printOutput(ui: Ui, output: unknown): void {
  if (typeof output === 'string') {
    ui.out(ui.ctx.stdout.isTTY ? escapeControls(output, 'keep') : output);
    return;
  }
  const text = JSON.stringify(output ?? null, null, 2);
  ui.out(ui.ctx.stdout.isTTY ? escapeControls(text, 'keep') : text);
}

/** Submits the task(s); see the command's description. */
export async function runSubmit(o: SubmitOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  checkFlags(o);
  const ui = createUi(ctx, o.g);
  // Everything is read before anything is sent.
  const webhookAuthKey = await readWebhookKey(ctx, o);
  const given = await readHeaders(ctx, o.header);
  for (const h of given) {
    if (!h.fromFile && looksSecret(h.name)) {
      ui.warn(`-H ${h.name}: a secret on the command line stays in your shell history; put the header in a file and pass -H @file`);
    }
  }
  const headers = given.length > 0 ? Object.fromEntries(given.map((h) => [h.name, h.value])) : undefined;
  const data = await readData(ctx, o.data);
  const text = dataText(data);
  const where = describeSource(data.source);
  const inputs = o.jsonl ? batchInputs(text, where) : undefined;
  if (inputs && inputs.length === 0) throw new UsageError(`${where}: no lines to submit (it is empty)`);
  const input = inputs ? undefined : parseJson(text, where);

  await withSession(ctx, o.g, ui, async (session) => {
    const deployment = await queueDeployment(session, ref);
    const id = deployment.id;
    const workerPort = o.port ?? deployment.expose?.port;
    if (workerPort === undefined) {
      throw new UsageError(`deployment ${ref} exposes no port; give the worker's port with --port`);
    }
    const template: Omit<SubmitTaskRequest, 'input' | 'taskId'> = {
      workerPort,
      processUri: o.path!,
      ...(o.webhook !== undefined ? { webhook: o.webhook } : {}),
      ...(webhookAuthKey !== undefined ? { webhookAuthKey } : {}),
      ...(headers ? { headers } : {}),
    };

    if (inputs) {
      if (inputs.length > TASK_CAP) {
        ui.warn(`${inputs.length} lines: a deployment holds at most ${TASK_CAP} waiting tasks, so later lines wait (on 429 answers) for earlier ones to end`);
      }
      let rateNoted = false;
      const lines = await submitBatch(inputs, {
        client: session.client,
        ctx,
        deploymentId: id,
        template,
        emit: (r) => ui.out(JSON.stringify(r)),
        onRateLimited: () => {
          if (!rateNoted) ui.info('The API is rate limiting submissions (429); slowing down and sending those again.');
          rateNoted = true;
        },
      });
      await rememberTasks(ctx, id, lines.filter((l) => l.ok && l.taskId).map((l) => l.taskId!));
      const failed = lines.filter((l) => !l.ok).length;
      if (batchExitCode(lines) !== ExitCode.OK) throw new PartialFailureError(`${failed} of ${lines.length} lines were not submitted`);
      ui.success(`Submitted ${lines.length} task${lines.length === 1 ? '' : 's'} to ${ref}.`);
      return;
    }

    const taskId = o.taskId ?? newTaskId();
    const outcome = await submitOnce(session.client, ctx, id, { ...template, input, taskId });
    if (outcome.kind !== 'submitted') throw explainTaskNotFound(outcome.error, taskId, ref);
    await rememberTasks(ctx, id, [outcome.taskId]);
    if (outcome.recovered) ui.warn(`the reply to the submission was lost, but task ${outcome.taskId} was found: it was submitted`);
    if (!o.wait) {
      if (!(await printMachine(ui, { taskId: outcome.taskId }))) ui.out(outcome.taskId);
      ui.next(`Submitted task ${outcome.taskId} to ${ref}.`, `yotta task wait ${ref} ${outcome.taskId}`);
      return;
    }

    const timeoutMs = taskWaitTimeout(o.waitTimeout, session);
    const spinner = ui.spinner(`Waiting for task ${outcome.taskId}…`);
    let result;
    try {
      [result] = await waitForTasks(ctx, session.client, id, [outcome.taskId], { timeoutMs });
    } finally {
      spinner.stop();
    }
    if (!result) return;
    if (result.kind === 'error') throw explainTaskNotFound(result.error, outcome.taskId, ref);
    if (result.kind === 'timeout') {
      throw new WaitTimeoutError(
        `task ${outcome.taskId} was still ${String(result.task?.status ?? 'PROCESSING')} after ${formatDuration(timeoutMs)}`,
        `It carries on; wait again with: yotta task wait ${ref} ${outcome.taskId}, or look with: ${checkCommand(ref, outcome.taskId)}`,
      );
    }
    const task: Task = maskTask(result.task);
    const printed = await printMachine(ui, task);
    if (task.status === 'FAILED') {
      const why = typeof task.error === 'string' && task.error !== '' ? task.error : 'no error given';
      throw new YottaError(`task ${task.taskId} FAILED: ${why}`, ExitCode.FAILED, `Details: ${checkCommand(ref, task.taskId)}`);
    }
    if (!printed) printOutput(ui, task.output);
    ui.success(`Task ${task.taskId} ended ${String(task.status)}.`);
  });
}
