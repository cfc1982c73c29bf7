/**
 * A progress spinner on stderr. ora (imported lazily, only when a spinner will animate) draws it;
 * everywhere else the same interface animates nothing, and the final succeed/fail message becomes
 * one plain narration line, so logs and CI output still say how the wait ended.
 */
import type { Ora } from 'ora';
import type { Context, OutStream } from '../context.js';
import type { Colors } from './colors.js';

/** What a command does with a spinner. */
export interface Spinner {
  /** The text beside the spinner; setting it updates the line. */
  text: string;
  /** Same as setting `text`. */
  update(text: string): void;
  /** Stops and leaves `✓ message` (the current text when none is given). */
  succeed(message?: string): void;
  /** Stops and leaves `✗ message` (the current text when none is given). */
  fail(message?: string): void;
  /** Stops and clears the line, leaving nothing. */
  stop(): void;
}

/** How createSpinner should behave; createUi decides this from the streams and flags. */
export interface SpinnerOptions {
  ctx: Context;
  text: string;
  /** Draw an animation (stderr is a colour-capable TTY, not --json/--quiet). */
  animate: boolean;
  /** Colours for stderr. */
  colors: Colors;
  /** Writes the final line when nothing is animating (and decides whether it is shown at all). */
  finish(kind: 'succeed' | 'fail', message: string): void;
}

/**
 * Whether a stream is a terminal that can be drawn on in place (spinners, --watch redraws): a TTY
 * that reports a width. Some pseudo-terminals (`script` without a size, `ssh -tt` from a script, CI
 * runners) report 0 columns or none; ora divides by the width and would spin at full CPU there.
 */
export function canRedraw(stream: OutStream): boolean {
  return stream.isTTY && (stream.columns ?? 0) > 0;
}

/** Creates a spinner; it starts at once (the animation as soon as ora has loaded). */
export function createSpinner(o: SpinnerOptions): Spinner {
  let text = o.text;
  let done = false;
  let ora: Ora | undefined;

  const onAbort = (): void => spinner.stop();
  const end = (): boolean => {
    if (done) return false;
    done = true;
    o.ctx.signal.removeEventListener('abort', onAbort);
    return true;
  };
  const persist = (kind: 'succeed' | 'fail', message: string | undefined): void => {
    if (!end()) return;
    const line = message ?? text;
    if (ora) {
      const symbol = kind === 'succeed' ? o.colors.green('✓') : o.colors.red('✗');
      ora.stopAndPersist({ symbol, text: line });
    } else {
      o.finish(kind, line);
    }
  };

  const spinner: Spinner = {
    get text() {
      return text;
    },
    set text(value: string) {
      text = value;
      if (ora) ora.text = value;
    },
    update(value: string) {
      spinner.text = value;
    },
    succeed(message?: string) {
      persist('succeed', message);
    },
    fail(message?: string) {
      persist('fail', message);
    },
    stop() {
      if (end()) ora?.stop();
    },
  };

  if (o.animate && canRedraw(o.ctx.stderr) && !o.ctx.signal.aborted) {
    o.ctx.signal.addEventListener('abort', onAbort, { once: true });
    void import('ora').then(
      ({ default: makeOra }) => {
        if (done) return;
        ora = makeOra({
          text,
          // Our stream, never the process's own stderr; and stdin is left alone so Ctrl-C keeps raising SIGINT.
          stream: o.ctx.stderr as unknown as NodeJS.WritableStream,
          discardStdin: false,
          isEnabled: true,
          color: 'cyan',
        }).start();
      },
      // Without ora there is simply no animation; the final line is still written by finish().
      () => undefined,
    );
  }
  return spinner;
}
