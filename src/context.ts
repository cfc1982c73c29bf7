/**
 * Context: everything a command may touch of the outside world — streams, TTY flags, environment,
 * clock, sleep, randomness and the interrupt signal. Only src/cli.ts builds one from `process`;
 * tests build their own (test/helpers/cli.ts), so every command runs in-process with a fixed clock.
 */
import type { Readable } from 'node:stream';

/** A stream we write text to (stdout or stderr). */
export interface OutStream {
  /** Text, or bytes passed on exactly (`deploy call` streams a service's body). */
  write(chunk: string | Uint8Array): unknown;
  /** True when a terminal is attached. */
  isTTY: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** Standard input, with what a hidden prompt needs. */
export type InStream = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export interface Context {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  /** The environment (read-only view). */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory, for relative spec paths. */
  cwd: string;
  /** The user's home directory (for ~/.yotta/config and the default config folder). */
  homeDir: string;
  /** This CLI's version. */
  version: string;
  /** The running Node.js version, without the leading "v". */
  nodeVersion: string;
  /** Wall-clock time in ms since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1), for retry jitter. */
  random(): number;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}

/** Sleeps `ms` with real timers, abortable. Shared by the process context and tests. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether colour should be used on a stream, from flags and the NO_COLOR / FORCE_COLOR conventions. */
export function colorEnabled(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY;
}
