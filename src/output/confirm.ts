/** Asking the user to confirm a destructive action: one line read from stdin, on stderr's prompt. */
import { InterruptedError, UsageError } from '../errors.js';
import type { GlobalOptions } from '../globals.js';
import type { Ui } from './ui.js';

/** Reads one line from stdin (the answer to a prompt); end of input gives what was typed so far. Ctrl-C throws. */
export function readLine(ui: Ui): Promise<string> {
  const { stdin, signal } = ui.ctx;
  return new Promise<string>((resolve, reject) => {
    let text = '';
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stdin.pause();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string | Buffer): void => {
      text += String(chunk);
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        text = text.slice(0, nl).replace(/\r$/, '');
        finish();
      }
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(err);
    const onAbort = (): void => finish(new InterruptedError());
    if (signal.aborted) {
      onAbort();
      return;
    }
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    stdin.resume();
  });
}

/** Asks a yes/no question on stderr; only `y` or `yes` (any case) is a yes, so Enter alone means no. */
export async function confirm(ui: Ui, question: string): Promise<boolean> {
  ui.ctx.stderr.write(`${question} [y/N] `);
  const answer = await readLine(ui);
  return /^\s*y(es)?\s*$/i.test(answer);
}

/**
 * Refuses, before anything is sent, an action that must be confirmed when no one can be asked
 * (no terminal, or --no-input) and --yes was not given; the error names --yes.
 */
export function requireConfirmable(ui: Ui, globals: GlobalOptions, doing: string, verb: string): void {
  if (ui.interactive) return;
  const why = globals.input === false ? '--no-input was given' : 'there is no terminal to ask on';
  throw new UsageError(`${doing} needs confirmation and ${why}; pass --yes to ${verb} without asking`);
}

