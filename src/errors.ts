/**
 * The error classes and the one table that maps them to exit codes.
 * Every failure a user can meet is one of these; anything else is our bug (exit 1, trace under --debug).
 */

/** Exit codes, documented in the README and `yotta --help`. */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  AUTH: 3,
  NOT_FOUND: 4,
  STATE: 5,
  QUOTA: 6,
  NETWORK: 7,
  WAIT_TIMEOUT: 8,
  FAILED: 9,
  PARTIAL: 10,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per code for `yotta --help` and the README. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [number, string]> = [
  [0, 'success'],
  [1, 'unexpected or server error'],
  [2, 'usage or invalid input (nothing sent)'],
  [3, 'no API key, or key rejected'],
  [4, 'not found (24001, 24011, 10007, or an HTTP 404 carrying the API envelope)'],
  [5, 'not allowed in the current state (24002)'],
  [6, 'quota or capacity (24003, 24009)'],
  [7, 'network failure or timeout; outcome of a write unknown'],
  [8, 'wait timed out'],
  [9, 'deployment or task FAILED while waiting'],
  [10, 'some of several ids failed'],
  [130, 'interrupted (Ctrl-C); 0 where Ctrl-C ends a stream (--watch, logs -f)'],
  [143, 'terminated (SIGTERM), everywhere'],
];

/** Base of every expected error: carries its exit code and an optional hint (the next thing to try). */
export class YottaError extends Error {
  override name = 'YottaError';
  /**
   * Fields the JSON error object carries beside exitCode, code, httpStatus, message and hint: e.g. the
   * `id` of a deployment that was created before a wait failed, or `"outcome": "unknown"` and the
   * `check` command after an interrupted write.
   */
  readonly extra: Record<string, unknown> = {};
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.ERROR,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Bad flags, arguments or input files; nothing was sent. */
export class UsageError extends YottaError {
  override name = 'UsageError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
  }
}

/**
 * One problem found in a spec file, with its position (1-based line and column).
 * Line 0 means the problem has no position in a file: `file` then names its source, e.g. a flag (`--workers`).
 */
export interface SpecProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Formats a spec problem as `file:line:col: message`, or `source: message` when it has no position. */
export function formatSpecProblem(p: SpecProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** A spec file (or flags) that failed validation: every problem at once, one per line. */
export class SpecError extends UsageError {
  override name = 'SpecError';
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatSpecProblem).join('\n'));
  }
}

/** A config file that cannot be read or written; never overwritten. */
export class ConfigError extends YottaError {
  override name = 'ConfigError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
  }
}

/** No API key, or the API rejected it. */
export class AuthError extends YottaError {
  override name = 'AuthError';
  constructor(message: string, hint?: string) {
    super(message, ExitCode.AUTH, hint);
  }
}

/** Maps an HTTP status and Yotta code to our exit code. */
export function exitCodeForApi(httpStatus: number | undefined, code: number | undefined): number {
  if (httpStatus === 401 || httpStatus === 403) return ExitCode.AUTH;
  switch (code) {
    // The API's own "key missing or invalid", on HTTP 200 or 401 alike.
    case 40101:
    case 40001:
      return ExitCode.AUTH;
    case 24001:
    case 24011:
    case 10007:
      return ExitCode.NOT_FOUND;
    case 24002:
      return ExitCode.STATE;
    case 24003:
    case 24009:
      return ExitCode.QUOTA;
    case 10001:
      return ExitCode.USAGE;
  }
  // Only the API's own 404 (with its envelope) says "gone": a bare 404 is a proxy or a wrong base URL.
  if (httpStatus === 404 && code !== undefined) return ExitCode.NOT_FOUND;
  return ExitCode.ERROR;
}

/** An answer from the API that is not success: an envelope code other than 10000, or an HTTP error. */
export class ApiError extends YottaError {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly details: {
      httpStatus: number;
      /** Yotta's envelope code, when the body had one. */
      code?: number;
      /** The server's own message, when the body had one. */
      serverMessage?: string;
      method: string;
      path: string;
      /** A short clean excerpt of a body that was not JSON. */
      bodyExcerpt?: string;
    },
    hint?: string,
  ) {
    super(message, exitCodeForApi(details.httpStatus, details.code), hint);
  }
  get httpStatus(): number {
    return this.details.httpStatus;
  }
  get code(): number | undefined {
    return this.details.code;
  }
}

/** Which request an error is about, and whether a write may have been applied (then `check` is the command that tells). */
export interface WriteOutcome {
  method: string;
  path: string;
  outcomeUnknown: boolean;
  /** The command that shows whether the write happened, when `outcomeUnknown`. */
  check?: string;
}

/** What the JSON error adds for a write whose outcome is unknown: scripts read these, not the wording. */
function outcomeFields(o: WriteOutcome): Record<string, unknown> {
  return { outcome: 'unknown', check: o.check ?? null };
}

/** The network failed, or a request timed out. `outcomeUnknown` is set when a write may have been applied. */
export class NetworkError extends YottaError {
  override name = 'NetworkError';
  constructor(
    message: string,
    readonly details: WriteOutcome & { timedOut: boolean; attempts: number },
    hint?: string,
  ) {
    super(message, ExitCode.NETWORK, hint);
    if (details.outcomeUnknown) Object.assign(this.extra, outcomeFields(details));
  }
}

/** `--wait` or `yotta deploy wait` gave up. */
export class WaitTimeoutError extends YottaError {
  override name = 'WaitTimeoutError';
  /** `lastSeen`: the deployment as last read, when it was read at all. */
  constructor(message: string, hint?: string, readonly lastSeen?: unknown) {
    super(message, ExitCode.WAIT_TIMEOUT, hint);
  }
}

/** The deployment turned FAILED while we were waiting for it. */
export class DeploymentFailedError extends YottaError {
  override name = 'DeploymentFailedError';
  /** `lastSeen`: the deployment as last read (FAILED). */
  constructor(message: string, hint?: string, readonly lastSeen?: unknown) {
    super(message, ExitCode.FAILED, hint);
  }
}

/** Some ids of a multi-id command failed; each was already reported. */
export class PartialFailureError extends YottaError {
  override name = 'PartialFailureError';
  constructor(message: string) {
    super(message, ExitCode.PARTIAL);
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM). `details` is set when a write was in flight. */
export class InterruptedError extends YottaError {
  override name = 'InterruptedError';
  constructor(
    message = 'interrupted',
    hint?: string,
    readonly details?: WriteOutcome,
  ) {
    super(message, ExitCode.INTERRUPTED, hint);
    if (details?.outcomeUnknown) Object.assign(this.extra, outcomeFields(details));
  }
}

/**
 * A result told by the exit code alone, with nothing more to print: `deploy diff` exits 1 when it
 * found differences, as `git diff --exit-code` does. main() returns the code and prints no error.
 */
export class QuietExit extends YottaError {
  override name = 'QuietExit';
  constructor(exitCode: number, message = `exit ${exitCode}`) {
    super(message, exitCode);
  }
}

/**
 * Whether `err` (or the state of `signal`) means the user interrupted: Ctrl-C or SIGTERM aborted the
 * signal, or the error is our InterruptedError or the platform's AbortError.
 */
export function isInterruption(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted || err instanceof InterruptedError) return true;
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}
