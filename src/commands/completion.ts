/**
 * `yotta completion bash|zsh|fish` prints a completion script generated from the program itself;
 * the hidden `yotta __complete deployments` feeds it deployment ids and names from a short-lived cache,
 * and `yotta __complete workers <id|name>` the worker ids of one deployment (for `deploy logs --worker`).
 * and `yotta __complete tasks` the task ids of recent submissions (kept by `task submit`).
 */
import type { Command } from 'commander';
import { Argument } from 'commander';
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import { globalsOf } from '../globals.js';

/** Shells `yotta completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What `yotta __complete` can list. */
export const COMPLETE_KINDS = ['deployments', 'workers', 'credentials', 'tasks'] as const;

/** Options of `completion`. */
export interface CompletionOptions {
  shell: CompletionShell;
  /** The running command: its root is the program, with every command registered (see main.ts). */
  command: Command;
}

/** Options of `__complete`. */
export interface CompleteOptions {
  kind: (typeof COMPLETE_KINDS)[number];
  /** For `workers`: the deployment (id or name) whose workers are listed. */
  deployment?: string;
  /** The global flags (--profile, --base-url, --sandbox pick the deployments listed). */
  g: GlobalOptions;
}

/** Adds `completion` to the program. */
export function registerCompletion(program: Command, ctx: Context): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh or fish)')
    .description(
      'Print a completion script for your shell: commands, subcommands, flags, status values, output ' +
        'formats, GPU codes, and the ids and names of your deployments. Deployments are listed at most ' +
        'once a minute (cached in the config folder); without an API key or network they are simply not offered.',
    )
    .addArgument(new Argument('<shell>', 'the shell: bash, zsh or fish').choices(COMPLETION_SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(yotta completion bash)                 # bash, this shell only
  $ yotta completion bash > ~/.local/share/bash-completion/completions/yotta
  $ yotta completion zsh > "\${fpath[1]}/_yotta"      # zsh (then start a new shell)
  $ yotta completion fish > ~/.config/fish/completions/yotta.fish`,
    )
    .action(async (shell: CompletionShell, _opts: unknown, command: Command) => {
      await runCompletion({ shell, command }, ctx);
    });
}

/** Adds the hidden `__complete`, which the completion scripts run on every Tab. */
export function registerComplete(program: Command, ctx: Context): void {
  program
    .command('__complete', { hidden: true })
    .description('print completion candidates, one per line as value<TAB>description (used by the completion scripts)')
    .addArgument(new Argument('<kind>', 'what to list').choices(COMPLETE_KINDS))
    .addArgument(new Argument('[deployment]', 'for workers: the deployment id or name'))
    .action(async (kind: CompleteOptions['kind'], deployment: string | undefined, _opts: unknown, cmd: Command) => {
      await runComplete({ kind, ...(deployment !== undefined ? { deployment } : {}), g: globalsOf(cmd) }, ctx);
    });
}

/** Prints the completion script for `opts.shell`, generated from the program's current commands and flags. */
export async function runCompletion(opts: CompletionOptions, ctx: Context): Promise<void> {
  const { buildModel } = await import('../completion/model.js');
  // The program this runs in: main() registered the whole command tree for `completion`.
  let program = opts.command;
  while (program.parent) program = program.parent;
  const model = buildModel(program);
  let script: string;
  switch (opts.shell) {
    case 'bash':
      script = (await import('../completion/bash.js')).bashScript(model, ctx.version);
      break;
    case 'zsh':
      script = (await import('../completion/zsh.js')).zshScript(model, ctx.version);
      break;
    case 'fish':
      script = (await import('../completion/fish.js')).fishScript(model, ctx.version);
      break;
  }
  ctx.stdout.write(script.endsWith('\n') ? script : script + '\n');
}

/**
 * Prints deployment ids and names (or one deployment's worker ids, credential names and ids, or the
 * task ids of recent submissions) for the completion scripts. Silent by design: any failure (no key,
 * no network, a slow API) prints nothing and exits 0, since a TAB press must never show an error.
 */
export async function runComplete(opts: CompleteOptions, ctx: Context): Promise<void> {
  let lines: string[];
  if (opts.kind === 'workers') {
    lines = await (await import('../completion/workers.js')).completeWorkers(ctx, opts.g, opts.deployment);
  } else if (opts.kind === 'credentials') {
    lines = await (await import('../completion/credentials.js')).completeCredentials(ctx, opts.g);
  } else if (opts.kind === 'tasks') {
    lines = await (await import('../completion/recent-tasks.js')).completeTasks(ctx);
  } else {
    lines = await (await import('../completion/deployments.js')).completeDeployments(ctx, opts.g);
  }
  if (lines.length > 0) ctx.stdout.write(lines.join('\n') + '\n');
}
