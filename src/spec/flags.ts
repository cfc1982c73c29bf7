/**
 * The spec flags of `deploy create` and `deploy update` (--name, --image, --gpu-type, ...): their
 * definitions and their conversion into a partial spec. Light on purpose (no zod, no yaml), since
 * commands add these flags when the program is built, on every start.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { SERVICE_MODES } from '../api/types.js';
import type { EnvironmentVar, Resource, ServiceMode } from '../api/types.js';
import { UsageError } from '../errors.js';
import { collect } from '../globals.js';
import type { DeploySpec } from './schema.js';

/** A partial spec from flags, plus a resource patch that is resolved against the file's resources. */
export interface SpecFlags extends Partial<DeploySpec> {
  /**
   * From --region, --gpu-type and --gpu-count. With both --region and --gpu-type it is one
   * resource; --gpu-count alone sets the count of every resource of the spec; --region or
   * --gpu-type alone changes the spec's only resource.
   */
  resourcePatch?: Partial<Resource>;
}

/** The flag that sets each spec field, for messages about values that came from flags. */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  name: '--name',
  image: '--image',
  imageRegistry: '--image-registry',
  resources: '--resource',
  minSingleCardVramInGb: '--min-vram',
  minSingleCardVcpu: '--min-vcpu',
  minSingleCardRamInGb: '--min-ram',
  containerVolumeInGb: '--volume',
  credentialId: '--credential',
  credential: '--credential',
  workers: '--workers',
  serviceMode: '--service-mode',
  initializationCommand: '--init-cmd',
  environmentVars: '--env',
  expose: '--port',
};

/** Adds the spec flags to a command; each overrides the same field of a spec file. */
export function addSpecFlags(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'deployment name: starts with a letter; letters, digits and @._-; at most 50 characters')
    .option('--image <image>', 'container image, e.g. vllm/vllm-openai:latest')
    .option('--image-registry <url>', 'image registry URL (default Docker Hub)')
    .option('--region <region>', 'region of the one resource, e.g. us-east-1 (with --gpu-type)')
    .option('--gpu-type <code>', 'GPU type of the one resource, e.g. NVIDIA_H100_80G (see `yotta gpus`)')
    .option('--gpu-count <n>', "GPUs per worker; alone it sets every resource's count (default: the spec's, else 1)")
    .addOption(
      new Option('--resource <region:gpuType:count>', 'a resource, e.g. us-east-1:NVIDIA_H100_80G:1; repeat for several (instead of --region/--gpu-type/--gpu-count)').argParser(collect),
    )
    .option('--workers <n>', 'number of workers')
    .option('--service-mode <mode>', 'ALB, QUEUE or CUSTOM (ALB needs --port or expose in the spec)')
    .option('--volume <gb>', 'container volume in GB (containerVolumeInGb)')
    .option('--init-cmd <command>', 'initialization command run when a worker starts')
    .addOption(new Option('--env <KEY=VALUE>', "environment variable; repeatable; replaces the spec's variable of the same name").argParser(collect))
    .option('--port <port>', 'port the workers expose (expose.port, protocol HTTP)')
    .option('--credential <name|id>', 'registry credential for a private image: its name or id (see `yotta credential list`); "" clears it on update')
    .option('--credential-id <id>', 'the same as --credential (kept for existing scripts)')
    .option('--min-vram <gb>', 'minimum VRAM per GPU card in GB (minSingleCardVramInGb)')
    .option('--min-vcpu <n>', 'minimum vCPUs per GPU card (minSingleCardVcpu)')
    .option('--min-ram <gb>', 'minimum RAM per GPU card in GB (minSingleCardRamInGb)');
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Turns the parsed options of a command into a partial spec. Values are parsed here (integers,
 * KEY=VALUE, region:gpuType:count) and every bad one is reported in one UsageError naming its flag;
 * ranges are checked with the rest of the spec when the request is built.
 */
export function specFromFlags(opts: Record<string, unknown>): SpecFlags {
  const errors: string[] = [];
  const out: SpecFlags = {};

  const text = (key: string, flag: string): string | undefined => {
    const v = opts[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') {
      errors.push(`${flag}: expected one value`);
      return undefined;
    }
    return v;
  };
  const list = (key: string): string[] => {
    const v = opts[key];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  };
  const integer = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    if (!INTEGER.test(v.trim()) || !Number.isSafeInteger(n)) {
      errors.push(`${flag}: ${JSON.stringify(v)} is not an integer`);
      return undefined;
    }
    return n;
  };
  const decimal = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    if (!DECIMAL.test(v.trim()) || !Number.isFinite(n)) {
      errors.push(`${flag}: ${JSON.stringify(v)} is not a number`);
      return undefined;
    }
    return n;
  };

  const set = <K extends keyof SpecFlags>(key: K, value: SpecFlags[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('name', text('name', '--name'));
  set('image', text('image', '--image'));
  set('imageRegistry', text('imageRegistry', '--image-registry'));
  set('workers', integer('--workers', text('workers', '--workers')));
  set('containerVolumeInGb', decimal('--volume', text('volume', '--volume')));
  set('initializationCommand', text('initCmd', '--init-cmd'));
  const credential = text('credential', '--credential');
  const credentialId = text('credentialId', '--credential-id');
  if (credential !== undefined && credentialId !== undefined) errors.push('--credential and --credential-id are the same flag; give one');
  const ref = (credential ?? credentialId)?.trim();
  // A reference made only of digits is an id (empty clears it, as credentialId ""); anything else is a name, resolved before anything is sent.
  if (ref !== undefined && /^\d*$/.test(ref)) out.credentialId = ref;
  else if (ref !== undefined) out.credential = ref;
  set('minSingleCardVramInGb', integer('--min-vram', text('minVram', '--min-vram')));
  set('minSingleCardVcpu', integer('--min-vcpu', text('minVcpu', '--min-vcpu')));
  set('minSingleCardRamInGb', integer('--min-ram', text('minRam', '--min-ram')));

  const mode = text('serviceMode', '--service-mode');
  if (mode !== undefined) {
    const upper = mode.trim().toUpperCase();
    if ((SERVICE_MODES as readonly string[]).includes(upper)) out.serviceMode = upper as ServiceMode;
    else errors.push(`--service-mode: must be ALB, QUEUE or CUSTOM, got ${JSON.stringify(mode)}`);
  }

  const port = integer('--port', text('port', '--port'));
  if (port !== undefined) out.expose = { port, protocol: 'HTTP' };

  const env: EnvironmentVar[] = [];
  for (const entry of list('env')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      errors.push(`--env: ${JSON.stringify(entry)} is not KEY=VALUE`);
      continue;
    }
    const key = entry.slice(0, eq);
    const at = env.findIndex((e) => e.key === key);
    const item = { key, value: entry.slice(eq + 1) };
    if (at >= 0) env[at] = item;
    else env.push(item);
  }
  if (env.length > 0) out.environmentVars = env;

  const region = text('region', '--region');
  const gpuType = text('gpuType', '--gpu-type');
  const gpuCount = integer('--gpu-count', text('gpuCount', '--gpu-count'));
  const resourceFlags = list('resource');
  if (resourceFlags.length > 0 && (region !== undefined || gpuType !== undefined || opts.gpuCount !== undefined)) {
    errors.push('--resource cannot be combined with --region, --gpu-type or --gpu-count; give every resource as --resource region:gpuType:count');
  } else if (resourceFlags.length > 0) {
    const resources: Resource[] = [];
    for (const r of resourceFlags) {
      const parts = r.split(':');
      const count = parts.length === 3 && INTEGER.test(parts[2]!.trim()) ? Number(parts[2]!.trim()) : NaN;
      if (parts.length !== 3 || parts[0]!.trim() === '' || parts[1]!.trim() === '' || !Number.isSafeInteger(count)) {
        errors.push(`--resource: ${JSON.stringify(r)} is not region:gpuType:count (e.g. us-east-1:NVIDIA_H100_80G:1)`);
        continue;
      }
      resources.push({ region: parts[0]!.trim(), gpuType: parts[1]!.trim(), gpuCount: count });
    }
    out.resources = resources;
  } else if (region !== undefined || gpuType !== undefined || gpuCount !== undefined) {
    const patch: Partial<Resource> = {};
    if (region !== undefined) patch.region = region;
    if (gpuType !== undefined) patch.gpuType = gpuType;
    if (gpuCount !== undefined) patch.gpuCount = gpuCount;
    out.resourcePatch = patch;
  }

  if (errors.length > 0) throw new UsageError(errors.join('\n'), 'See --help for the spec flags.');
  return out;
}
