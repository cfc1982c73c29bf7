/** Asking the user to confirm a destructive action: one line read from stdin, on stderr's prompt. */
import { UsageError } from '../errors.js';
import { readStdinUntil } from '../config/prompt.js';
import type { GlobalOptions } from '../globals.js';
import type { Ui } from './ui.js';

/** Reads one line from stdin (the answer to a prompt); end of input gives what was typed so far. Ctrl-C throws. */
export function readLine(ui: Ui): Promise<string> {
  let text = '';
  return readStdinUntil(
    ui.ctx,
    (chunk, finish) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        text = text.slice(0, nl).replace(/\r$/, '');
        finish();
      }
    },
    () => text,
  );
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

