/**
 * The Ui: where a command's output goes. Results go to stdout (`out`); narration — progress,
 * confirmations, hints, warnings — goes to stderr, so `yotta ... --json | jq` always sees one clean
 * document. createUi() decides once, from flags, environment and TTYs, what is coloured, what is
 * shown and whether a spinner may animate; commands never look at those themselves.
 */
import type { Context } from '../context.js';
import { colorEnabled } from '../context.js';
import type { GlobalOptions, OutputFormat } from '../globals.js';
import { isMachineFormat, outputOf } from '../globals.js';
import type { YottaError } from '../errors.js';
import { redactText, secretsOf } from '../redact.js';
import { escapeControls, jsonText } from '../text.js';
import type { Colors } from './colors.js';
import { colors } from './colors.js';
import type { Spinner } from './spinner.js';
import { createSpinner } from './spinner.js';

/** The output side of one command run. */
export interface Ui {
  readonly ctx: Context;
  /** The run's output format, from globals.ts's outputOf: `--json`/`-o`, else the profile's `output`, else `table`. */
  readonly format: OutputFormat;
  /** json or yaml: stdout is a document for programs, and stderr stays silent but for warnings and errors. */
  readonly machine: boolean;
  /** Whether stdout text is coloured. */
  readonly color: boolean;
  /** --quiet: results only; no narration, hints or spinners. */
  readonly quiet: boolean;
  /** Prompts are possible: stdin and stderr are terminals and --no-input was not given. */
  readonly interactive: boolean;
  /** Colour functions for text written to stdout (identity when stdout is not coloured). */
  readonly outColors: Colors;
  /** Colour functions for text written to stderr, which is coloured on its own terms. */
  readonly errColors: Colors;
  /** Writes a result to stdout, adding the final newline when `text` lacks one. */
  out(text: string): void;
  /** Narration on stderr; not shown under --quiet, --json or -o yaml. */
  info(message: string): void;
  /** Narration of something done (`✓ message` in colour); shown when info() is. */
  success(message: string): void;
  /** `Warning: message` on stderr; shown always, --quiet and --json included, since it may change what the user does. */
  warn(message: string): void;
  /** `message Next: command` on stderr, the command to run next; shown when info() is. */
  next(message: string, command: string): void;
  /** A --debug line on stderr (e.g. an HTTP trace); shown only with --debug, then whatever else is set. */
  debug(message: string): void;
  /**
   * The one error printer: `Error: message` and its hint as text, or under json output one
   * JSON object `{"error": {exitCode, code, httpStatus, message, hint?, ...}}` on stderr. Every
   * secret the run holds is masked and control characters are escaped.
   */
  error(error: YottaError): void;
  /** A spinner on stderr; it animates only on a colour-capable stderr TTY, never with --json/-o yaml/--quiet. */
  spinner(text: string): Spinner;
}

function line(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}

/** Builds the Ui for a command from its context and global flags. Synchronous and cheap: nothing heavy is imported. */
export function createUi(ctx: Context, g: GlobalOptions): Ui {
  const format = outputOf(ctx, g);
  const machine = isMachineFormat(format);
  const noColorFlag = g.color === false;
  const color = colorEnabled(ctx.stdout, ctx.env, noColorFlag);
  const errColor = colorEnabled(ctx.stderr, ctx.env, noColorFlag);
  const quiet = g.quiet === true;
  const narrate = !quiet && !machine;
  const outColors = colors(color);
  const errColors = colors(errColor);
  // FORCE_COLOR may colour a pipe, but an animation needs a real terminal; NO_COLOR and TERM=dumb
  // rule it out even when FORCE_COLOR is set.
  const noColorEnv = ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '';
  const canAnimate = ctx.stderr.isTTY && errColor && !noColorEnv && ctx.env.TERM !== 'dumb';
  const err = (text: string): void => void ctx.stderr.write(line(text));

  const ui: Ui = {
    ctx,
    format,
    machine,
    color,
    quiet,
    // stdin last: reading it creates its stream, which a command that never prompts does not need.
    interactive: Boolean(ctx.stderr.isTTY && g.input !== false && ctx.stdin.isTTY),
    outColors,
    errColors,
    out(text) {
      ctx.stdout.write(line(text));
    },
    info(message) {
      if (narrate) err(message);
    },
    success(message) {
      if (narrate) err(errColor ? `${errColors.green('✓')} ${message}` : message);
    },
    warn(message) {
      err(`${errColors.yellow('Warning:')} ${message}`);
    },
    next(message, command) {
      if (narrate) err(`${message} Next: ${errColors.cyan(command)}`);
    },
    debug(message) {
      if (g.debug) err(errColors.dim(message));
    },
    error(error) {
      const secrets = secretsOf(ctx);
      if (format === 'json') {
        const details = (error as { details?: { code?: number; httpStatus?: number } }).details;
        const { exitCode, message, hint, extra } = error;
        ctx.stderr.write(
          jsonText({
            error: {
              exitCode,
              code: details?.code ?? null,
              httpStatus: details?.httpStatus ?? null,
              message: redactText(message, secrets),
              ...(hint ? { hint: redactText(hint, secrets) } : {}),
              ...extra,
            },
          }) + '\n',
        );
        return;
      }
      const shown = (text: string): string => escapeControls(redactText(text, secrets), 'keep');
      err(`${errColors.red('Error:')} ${shown(error.message)}`);
      if (error.hint) err(shown(error.hint));
    },
    spinner(text) {
      return createSpinner({
        ctx,
        text,
        animate: narrate && canAnimate,
        colors: errColors,
        finish(kind, message) {
          if (kind === 'succeed') ui.success(message);
          else if (narrate) err(errColor ? `${errColors.red('✗')} ${message}` : message);
        },
      });
    },
  };
  return ui;
}
