/**
 * Reading a secret from the user: a hidden prompt on a terminal (raw mode, nothing echoed), or the
 * whole of stdin for scripts (`echo "$KEY" | yotta auth login --with-token`).
 */
import type { Context } from '../context.js';
import { InterruptedError, UsageError } from '../errors.js';

/** More than any API key; stops `yotta auth login --with-token < big-file` from reading it all. */
const MAX_STDIN_BYTES = 64 * 1024;

// CSI sequences (arrows, bracketed-paste markers like ESC[200~) and two-byte escapes: keys, not text.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[^[]?/g;

/**
 * Shows `prompt` on stderr and reads one line from a terminal stdin without echo. Backspace deletes,
 * Ctrl-U clears, Enter (or Ctrl-D / end of input) finishes, Ctrl-C throws InterruptedError.
 */
export async function readHiddenLine(ctx: Context, prompt: string): Promise<string> {
  const stdin = ctx.stdin;
  if (typeof stdin.setRawMode !== 'function') {
    throw new UsageError('this terminal cannot hide what you type', 'Pipe the key in instead: `yotta auth login --with-token < key-file`.');
  }
  ctx.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  let value = '';
  return readStdinUntil(
    ctx,
    (chunk, finish) => {
      for (const ch of chunk.replace(ESCAPES, '')) {
        switch (ch) {
          case '\r':
          case '\n':
          case '\u0004': // Ctrl-D
            finish();
            return;
          case '\u0003': // Ctrl-C: raw mode turns it into a byte instead of SIGINT
            finish(new InterruptedError());
            return;
          case '\u007f':
          case '\b':
            value = Array.from(value).slice(0, -1).join('');
            break;
          case '\u0015': // Ctrl-U
            value = '';
            break;
          default:
            if (ch >= ' ') value += ch;
        }
      }
    },
    () => value,
    () => {
      stdin.setRawMode?.(false);
      // The user's Enter was not echoed either; end the prompt's line ourselves.
      ctx.stderr.write('\n');
    },
  );
}

/**
 * The one place that listens to stdin for an answer: feeds each chunk to `onChunk` until it calls
 * `finish` (or input ends, or fails), then removes every listener, pauses stdin, runs `cleanup` and
 * resolves to `result()`. Ctrl-C (the context's signal) rejects with InterruptedError.
 */
export function readStdinUntil<T>(
  ctx: Pick<Context, 'stdin' | 'signal'>,
  onChunk: (chunk: string, finish: (err?: Error) => void) => void,
  result: () => T,
  cleanup?: () => void,
): Promise<T> {
  const { stdin, signal } = ctx;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stdin.pause();
      cleanup?.();
      if (err) reject(err);
      else resolve(result());
    };
    const onData = (chunk: string | Buffer): void => {
      if (!done) onChunk(String(chunk), finish);
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

/** Reads all of stdin as text (at most 64 KiB; `what` names it when longer); Ctrl-C throws InterruptedError. */
export async function readAllStdin(ctx: Context, what = 'an API key'): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const abort = new Promise<never>((_, reject) => {
    if (ctx.signal.aborted) reject(new InterruptedError());
    ctx.signal.addEventListener('abort', () => reject(new InterruptedError()), { once: true });
  });
  abort.catch(() => undefined);
  const read = (async () => {
    for await (const chunk of ctx.stdin) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > MAX_STDIN_BYTES) throw new UsageError(`standard input is too long to be ${what}`);
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf8');
  })();
  return Promise.race([read, abort]);
}
