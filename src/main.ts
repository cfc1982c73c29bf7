/**
 * main(argv, ctx) → exit code. Builds the commander program, runs it, and maps every error to
 * one clear message on stderr and an exit code from the table in errors.ts. Never exits.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Context } from './context.js';
import { colorEnabled } from './context.js';
import { loadColors } from './output/colors.js';
import { EXIT_CODE_HELP, ExitCode, InterruptedError, isInterruption, QuietExit, UsageError, YottaError } from './errors.js';
import { parseDuration } from './duration.js';
import { redactText, secretsOf } from './redact.js';
import { escapeControls } from './text.js';
import { COMMANDS } from './commands/index.js';
import { registerLazily } from './commands/registry.js';
import type { GlobalOptions } from './globals.js';
import { OUTPUT_FORMATS, globalsOf, profileFormatUnknown, recordProfileFormat } from './globals.js';
import { createUi } from './output/ui.js';
import { profileOutputFormat } from './config/settings.js';
import { inheritedFlagsHelp } from './output/help.js';

const EXAMPLES = `
Examples:
  $ yotta --sandbox deploy apply -f deploy.example.yaml  # try it, no account
  $ yotta auth login                                      # store your API key
  $ yotta deploy list --status running
  $ yotta deploy scale 378888638324150969 4 --wait
  $ yotta deploy list -o id
`;

function exitCodeHelp(): string {
  return '\nExit codes:\n' + EXIT_CODE_HELP.map(([c, t]) => `  ${String(c).padStart(3)}  ${t}`).join('\n') + '\n';
}

/**
 * Builds the program: with `argv`, only the branch of commands it runs (see commands/index.ts);
 * without, every command (for completion scripts and tests).
 */
export async function buildProgram(ctx: Context, argv?: readonly string[]): Promise<Command> {
  const program = new Command('yotta');
  program
    .description("Run container images on GPU workers with Yotta's Elastic Deployment API.")
    .version(ctx.version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpCommand(false)
    // Every subcommand's help lists the global flags it inherits (-o, --json, --profile, ...), as gh's does.
    .configureHelp(inheritedFlagsHelp)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
      // Errors are printed by main() in one place, in text or JSON form.
      outputError: () => undefined,
      getOutHelpWidth: () => ctx.stdout.columns ?? 80,
      getErrHelpWidth: () => ctx.stderr.columns ?? 80,
    })
    .exitOverride()
    .addOption(new Option('--base-url <url>', 'API base URL (default https://api.yottalabs.ai)').env('YOTTA_BASE_URL'))
    .addOption(new Option('--profile <name>', 'configuration profile to use (default "default")').env('YOTTA_PROFILE'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS))
    .option('--json', 'print JSON (same as -o json); errors too become one JSON object on stderr')
    .option('--no-color', 'disable colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)')
    .option('--no-input', 'never prompt; fail instead where a prompt would be needed')
    .option('--debug', 'trace HTTP exchanges and show stack traces on stderr (the key is masked)')
    .option('-q, --quiet', 'print only results: no progress, hints or spinners')
    .option('--sandbox', 'run against a local in-process emulator instead of the real API')
    .addOption(
      new Option('--timeout <duration>', 'timeout of each HTTP request, e.g. 30s, 2m (default 30s)').argParser((v) =>
        parseDuration(v, '--timeout'),
      ),
    )
    .addHelpText('after', EXAMPLES + exitCodeHelp());

  const words = argv ? commandWords(program, argv) : undefined;
  // `yotta completion <shell>` describes every command, so it gets the whole tree to read.
  await registerLazily(program, ctx, COMMANDS, words?.[0] === 'completion' ? undefined : words);
  return program;
}

/**
 * The words of `argv` that name the command it runs (at most two: `deploy`, `list`), skipping the
 * global options and their values wherever they stand. It stops at the first thing it cannot place
 * (an option of a subcommand, -h/--help, `--`): fewer words only means more commands registered.
 */
export function commandWords(program: Command, argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const option = program.options.find((o) => arg === o.long || arg === o.short || (o.long !== undefined && arg.startsWith(`${o.long}=`)));
    if (!option) break;
    // Its value is the next argument (`--profile x`) unless it came with it (`--profile=x`); an
    // optional value is taken only when the next argument is not an option, as commander does.
    const next = argv[i + 1];
    if (!arg.includes('=') && (option.required || (option.optional && next !== undefined && !next.startsWith('-')))) i++;
  }
  return words;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], ctx: Context): Promise<number> {
  const program = await buildProgram(ctx, argv);
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.OK;
  }
  // The output mode is decided once, before the command runs: its flags, then its profile's
  // `output` setting (globals.ts). Success output, prompts and errors all read that decision.
  program.hook('preAction', async (_root, action) => {
    const g = globalsOrNothing(action);
    if (profileFormatUnknown(ctx, g)) recordProfileFormat(ctx, await profileOutputFormat(ctx, g));
  });
  try {
    // chalk costs startup time: load it only when stdout or stderr may be coloured.
    const noColor = argv.includes('--no-color');
    if (colorEnabled(ctx.stdout, ctx.env, noColor) || colorEnabled(ctx.stderr, ctx.env, noColor)) await loadColors();
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (err) {
    // A usage error from commander comes before the hook above: decide the output mode now, the same way.
    const g = globalsOrNothing(program);
    if (profileFormatUnknown(ctx, g)) recordProfileFormat(ctx, await profileOutputFormat(ctx, g));
    return reportError(err, ctx, g);
  }
}

/** The global options as parsed so far (a failed parse may stop part-way), without the --json/-o conflict check. */
function globalsOrNothing(cmd: Command): GlobalOptions {
  try {
    return globalsOf(cmd);
  } catch {
    const all = cmd.optsWithGlobals<GlobalOptions>();
    return { ...all, output: all.json ? 'json' : all.output };
  }
}

/**
 * Maps an error to the YottaError the user sees, prints it once through the Ui's one error printer
 * (text, or JSON under json/yaml output), and returns its exit code.
 */
export function reportError(err: unknown, ctx: Context, g: GlobalOptions): number {
  // The command already printed its result; the exit code is all that is left to give.
  if (err instanceof QuietExit) return err.exitCode;
  let error: YottaError;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.OK;
    }
    const text = err.message.replace(/^error: /, '').replace(/\n+/g, ' ').trim();
    error = new UsageError(text, 'Run `yotta --help` (or `yotta <command> --help`) for usage.');
  } else if (err instanceof YottaError) {
    error = err;
  } else if (isInterruption(err, ctx.signal)) {
    error = new InterruptedError();
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    error = new YottaError(`unexpected error: ${e.message}`, ExitCode.ERROR, 'This is a bug in yotta; run again with --debug and report it.');
  }
  const ui = createUi(ctx, g);
  ui.error(error);
  // The stack, for a bug report: only under --debug, masked and escaped like every other line.
  const stack = err instanceof Error && !(err instanceof CommanderError) ? err.stack : undefined;
  if (g.debug && stack) ctx.stderr.write(escapeControls(redactText(stack, secretsOf(ctx)), 'keep') + '\n');
  return error.exitCode;
}
