/**
 * The global options and the output mode: the one bottom-layer module every command, the settings
 * and the UI read them from. It imports nothing of yotta but errors.ts, so no lower layer ever has
 * to load main.ts (and with it the command registry) to know what `-o json` means.
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** Output formats of `-o/--output`. */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'id'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Whether `value` is an output format. */
export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/** The global flags, as every command sees them (`cmd.optsWithGlobals()`). */
export interface GlobalOptions {
  baseUrl?: string;
  profile?: string;
  output?: OutputFormat;
  json?: boolean;
  /** false with --no-color */
  color: boolean;
  /** false with --no-input */
  input: boolean;
  debug?: boolean;
  quiet?: boolean;
  sandbox?: boolean;
  /** Request timeout in ms. */
  timeout?: number;
}

/** commander collector for repeatable options: `--env A=1 --env B=2` → ['A=1', 'B=2']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Reads the global options of the command being run, normalised (`--json` means `-o json`); `--json` with another `-o` is a usage error. */
export function globalsOf(cmd: Command): GlobalOptions {
  const all = cmd.optsWithGlobals<GlobalOptions>();
  if (all.json && all.output !== undefined && all.output !== 'json') {
    throw new UsageError(`--json and -o ${all.output} ask for two different outputs`, 'Give one of them.');
  }
  const output: OutputFormat | undefined = all.json ? 'json' : all.output;
  return { ...all, output };
}

/** The `output` setting of each run's profile, once read (keyed by the run's Context). */
const profileFormats = new WeakMap<object, OutputFormat | null>();

/** Records the profile's `output` setting for this run (null: the profile has none, or it could not be read). */
export function recordProfileFormat(ctx: object, format: OutputFormat | undefined): void {
  profileFormats.set(ctx, format ?? null);
}

/** Whether this run's profile format still needs reading: neither `--json` nor `-o` decided, and not read yet. */
export function profileFormatUnknown(ctx: object, g: Pick<GlobalOptions, 'json' | 'output'>): boolean {
  return !g.json && g.output === undefined && !profileFormats.has(ctx);
}

/** The output format of the run `ctx` belongs to: resolveOutput over its flags and its profile's setting. */
export function outputOf(ctx: object, g: Pick<GlobalOptions, 'json' | 'output'>): OutputFormat {
  return resolveOutput(g, profileFormats.get(ctx) ?? undefined);
}

/**
 * The output format of a run, decided once: `--json` or `-o` win; then the profile's `output`
 * setting; then a table. Success output, errors and prompts all follow what this returns.
 */
export function resolveOutput(g: Pick<GlobalOptions, 'json' | 'output'>, profileFormat?: OutputFormat): OutputFormat {
  if (g.json) return 'json';
  return g.output ?? profileFormat ?? 'table';
}

/** json and yaml are documents for programs: stdout carries one, stderr only warnings and errors. */
export function isMachineFormat(format: OutputFormat): boolean {
  return format === 'json' || format === 'yaml';
}
