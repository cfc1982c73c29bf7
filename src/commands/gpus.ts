/** `yotta gpus`: the GPU types Yotta documents, with the code to use in specs and flags. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { GlobalOptions } from '../globals.js';
import { globalsOf } from '../globals.js';
import { createUi } from '../output/ui.js';
import { GPU_TYPES } from '../gpus.js';
import { printMachine } from '../output/render.js';
import { renderTable } from '../output/tables.js';
import { formatGb } from '../output/format.js';

/** Options of `gpus`. */
export interface GpusOptions {
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `gpus` to the program. */
export function registerGpus(program: Command, ctx: Context): void {
  program
    .command('gpus')
    .summary('list the known GPU types: code, name and memory per card')
    .description(
      'List the GPU types in Yotta\'s documentation: the code to use as gpuType in a spec file or with ' +
        '--gpu-type, its name and the memory (VRAM) of one card. The list ships with yotta, so it needs ' +
        'no API key and sends nothing; the API may accept newer types that are not listed yet.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ yotta gpus
  $ yotta gpus --json | jq -r '.[] | select(.vramGb >= 80) | .code'
  $ yotta deploy create -f deploy.yaml --region us-east-1 --gpu-type NVIDIA_H100_80G`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await runGpus({ g: globalsOf(cmd) }, ctx);
    });
}

/** Prints the GPU table: CODE, NAME, VRAM for people; `[{code, name, vramGb}]` with --json or -o yaml. */
export async function runGpus(opts: GpusOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, opts.g);
  const list = GPU_TYPES.map((t) => ({ code: t.code, name: t.name, vramGb: t.vramGb }));
  if (await printMachine(ui, list)) return;
  const rows = list.map((t) => [t.code, t.name, formatGb(t.vramGb)]);
  ui.out(await renderTable([{ header: 'CODE' }, { header: 'NAME' }, { header: 'VRAM' }], rows));
}
