/** `yotta deploy init [NAME]`: writes a commented starter spec, since `npm i -g` leaves no example in the user's folder. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { UsageError } from '../../errors.js';
import { createUi } from '../../output/ui.js';

/** Options of `deploy init`. */
export interface InitOptions {
  /** The deployment's name (default `my-deployment`). */
  name?: string;
  /** Container image to fill in. */
  image?: string;
  /** GPU type code to fill in. */
  gpuType?: string;
  /** Where to write; `-` prints to stdout. */
  file: string;
  /** Replace an existing file. */
  force?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9@._-]{0,49}$/;

/** The starter spec: every field the API takes, commented, with the given values filled in. */
export function starterSpec(name: string, image: string, gpuType: string): string {
  return `# A Yotta Elastic Deployment, written by \`yotta deploy init\`. Field names are the API's own.
# Check it without creating anything:  yotta deploy create -f FILE --dry-run
# Create it (or bring it up to date):  yotta deploy apply -f FILE --wait
# \${VAR} and \${VAR:-default} in a value are filled from your environment when it is read.
# Editors: the JSON Schema is $(npm root -g)/yotta/src/spec/deploy.schema.json (see yotta's README).

# Starts with a letter; letters, digits and @._- only; at most 50 characters.
name: ${name}

# Container image. A private one also needs imageRegistry and credentialId.
image: ${image}
# imageRegistry: https://registry.example.com
# credentialId: "378888638324150969"

# Where workers may run; every entry has the same gpuCount (GPUs per worker). \`yotta gpus\` lists GPU types.
resources:
  - region: us-east-1
    gpuType: ${gpuType}
    gpuCount: 1

# Disk of each worker's container, in GB.
containerVolumeInGb: 100

# How many workers run (\`yotta deploy scale\` changes it while it runs).
workers: 1

# ALB (load balancer in front of the workers; needs expose), QUEUE or CUSTOM.
serviceMode: ALB

# Run when a worker starts.
initializationCommand: vllm serve meta-llama/Llama-3.2-3B --port 8000

# Environment of the workers: a map, or a list of {key, value}. Values whose names look secret
# (TOKEN, KEY, SECRET, PASSWORD...) are masked in yotta's output.
environmentVars:
  HF_TOKEN: \${HF_TOKEN:-}

# The port the workers serve on (ALB routes to it).
expose:
  port: 8000
  protocol: HTTP

# Optional minimums per GPU card:
# minSingleCardVramInGb: 80
# minSingleCardVcpu: 8
# minSingleCardRamInGb: 64
`;
}

/** Adds `deploy init` to the group. */
export function registerInit(group: Command, ctx: Context): void {
  group
    .command('init')
    .description('write a commented starter spec file (deploy.yaml) to edit, then create with `deploy apply`')
    .argument('[name]', 'the deployment name to put in it (default my-deployment)')
    .option('--image <image>', 'container image to put in it (default vllm/vllm-openai:latest)')
    .option('--gpu-type <code>', 'GPU type to put in it, see `yotta gpus` (default NVIDIA_H100_80G)')
    .option('-f, --file <path>', 'file to write; "-" prints it instead', 'deploy.yaml')
    .option('--force', 'replace the file if it exists')
    .addHelpText(
      'after',
      `
Needs no API key and sends nothing. An existing file is left alone unless --force is given.

Examples:
  $ yotta deploy init llama -f llama.yaml --image vllm/vllm-openai:latest --gpu-type NVIDIA_H100_80G
  $ yotta deploy init qwen -f qwen.yaml && yotta deploy create -f qwen.yaml --dry-run
  $ yotta deploy init -f - > starter.yaml`,
    )
    .action(async (name: string | undefined, o: { image?: string; gpuType?: string; file: string; force?: boolean }, command: Command) => {
      await runInit({ name, image: o.image, gpuType: o.gpuType, file: o.file, force: o.force, g: globalsOf(command) }, ctx);
    });
}

/** Writes the starter spec (or prints it with `-f -`); refuses to overwrite a file without --force. */
export async function runInit(opts: InitOptions, ctx: Context): Promise<void> {
  const name = opts.name ?? 'my-deployment';
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(`[name]: "${name}" is not a deployment name: a letter first; letters, digits and @._-; at most 50 characters`);
  }
  for (const [flag, value] of [['--image', opts.image], ['--gpu-type', opts.gpuType]] as const) {
    if (value !== undefined && !/^[^\s#'"]+$/.test(value)) throw new UsageError(`${flag}: "${value}" cannot contain spaces, quotes or #`);
  }
  const text = starterSpec(name, opts.image ?? 'vllm/vllm-openai:latest', opts.gpuType ?? 'NVIDIA_H100_80G');
  const ui = createUi(ctx, opts.g);
  if (opts.file === '-') {
    ui.out(text);
    return;
  }
  const path = resolve(ctx.cwd, opts.file);
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(path, text, { flag: opts.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${opts.file} exists already; nothing was written`, 'Pass --force to replace it, or -f to write another file.');
    throw new UsageError(`cannot write ${opts.file}: ${(err as Error).message}`);
  }
  ui.next(`Wrote ${opts.file} (${name}); edit it, then check it with \`yotta deploy create -f ${opts.file} --dry-run\`.`, `yotta deploy apply -f ${opts.file} --wait`);
}
