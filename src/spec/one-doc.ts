/** Reading the one spec document of `deploy create -f` / `deploy update -f`, and the warnings to show for it. */
import type { Context } from '../context.js';
import type { ParsedSpecDoc, SpecReadOptions } from './load.js';

/** Reads `file` and returns its single document; a file of several documents is refused, naming `command`. Loads the spec modules lazily. */
export async function readOneDoc(file: string, ctx: Context, command: string, o: SpecReadOptions = {}): Promise<ParsedSpecDoc> {
  const { readSpecFile, singleDoc } = await import('./load.js');
  return singleDoc(await readSpecFile(file, ctx, o), command);
}

/** The file's own warnings (YAML) and the request's (unknown GPU type...), each once. */
export function docWarnings(doc: ParsedSpecDoc | undefined, built: readonly string[]): string[] {
  return [...new Set([...(doc?.warnings ?? []), ...built])];
}
