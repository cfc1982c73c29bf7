/**
 * The rules of a spec that span fields (same gpuCount everywhere, ALB needs expose) and the
 * warnings (unknown GPU type, a GPU count that is not a power of two). They read the raw value
 * defensively, so they run even when other fields are wrong and every problem is reported at once.
 */
import { GPU_TYPES } from '../gpus.js';
import type { SchemaProblem, SpecMode } from './schema.js';
import { formatPath } from './paths.js';
import type { SpecPath } from './paths.js';
import { didYouMean } from './suggest.js';
import { FIELD_FLAGS } from './flags.js';
import { isRecord } from '../records.js';

/** A warning about part of a spec: sent as written, but probably not what was meant. */
export interface SpecNotice {
  path: SpecPath;
  message: string;
}

function resourcesOf(value: unknown): Array<Record<string, unknown> | undefined> {
  if (!isRecord(value) || !Array.isArray(value.resources)) return [];
  return value.resources.map((r: unknown) => (isRecord(r) ? r : undefined));
}

/**
 * Problems that involve more than one field or entry: unequal gpuCounts, a variable listed twice,
 * ALB without expose. `file` mode skips the ALB rule: flags may still add expose.
 */
export function crossFieldProblems(value: unknown, mode: SpecMode): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const resources = resourcesOf(value);
  // Counts that are not valid on their own already have a problem; comparing them would only add noise.
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  const first = resources[0]?.gpuCount;
  if (valid(first)) {
    resources.forEach((r, i) => {
      const count = r?.gpuCount;
      if (i > 0 && valid(count) && count !== first) {
        problems.push({
          path: ['resources', i, 'gpuCount'],
          at: 'value',
          message: `every resource must have the same gpuCount (resources[0] has ${first}), got ${count}`,
        });
      }
    });
  }
  if (isRecord(value) && Array.isArray(value.environmentVars)) {
    const seen = new Set<string>();
    value.environmentVars.forEach((e: unknown, i) => {
      const key = isRecord(e) ? e.key : undefined;
      if (typeof key !== 'string') return;
      if (seen.has(key)) problems.push({ path: ['environmentVars', i, 'key'], at: 'value', message: `duplicate variable "${key}"` });
      seen.add(key);
    });
  }
  if (mode !== 'file' && isRecord(value)) {
    const service = value.serviceMode;
    if (typeof service === 'string' && service.toUpperCase() === 'ALB' && value.expose === undefined) {
      problems.push({
        path: ['serviceMode'],
        at: 'value',
        message: 'ALB needs expose: the HTTP port your service listens on (expose: {port: 8000} in the spec, or --port 8000)',
      });
    }
  }
  return problems;
}

/** The keys `deploy create` needs, and the flags that can give each instead of the file. */
const CREATE_REQUIRED: Readonly<Record<string, string>> = {
  name: FIELD_FLAGS.name!,
  image: FIELD_FLAGS.image!,
  resources: '--region and --gpu-type (or --resource)',
  containerVolumeInGb: FIELD_FLAGS.containerVolumeInGb!,
  workers: FIELD_FLAGS.workers!,
  serviceMode: FIELD_FLAGS.serviceMode!,
  initializationCommand: FIELD_FLAGS.initializationCommand!,
};

/**
 * The required keys of a create that neither the document nor the flags give, worded as the create
 * check words them. Used when a file already has problems, so that one run lists them all.
 */
export function missingForCreate(value: unknown, flagValues: object): string[] {
  if (!isRecord(value)) return [];
  const flags = flagValues as Readonly<Record<string, unknown>>;
  const given = (k: string): boolean => value[k] !== undefined || flags[k] !== undefined || (k === 'resources' && flags.resourcePatch !== undefined);
  return Object.entries(CREATE_REQUIRED)
    .filter(([k]) => !given(k))
    .map(([k, flag]) => `missing required key "${k}" (add it to the spec, or pass ${flag})`);
}

const GPU_CODES = GPU_TYPES.map((g) => g.code);

/** The smallest containerVolumeInGb in Yotta's newer API docs (the v1 page sets no minimum). */
export const NEWER_DOCS_MIN_VOLUME_GB = 20;

/**
 * Warnings: GPU types missing from the documented list, GPU counts that are not powers of two, and
 * a container volume below the newer docs' minimum (sent anyway: the v1 page, our reference, allows it).
 */
export function specWarnings(value: unknown): SpecNotice[] {
  const notices: SpecNotice[] = [];
  const volume = isRecord(value) ? value.containerVolumeInGb : undefined;
  if (typeof volume === 'number' && volume > 0 && volume < NEWER_DOCS_MIN_VOLUME_GB) {
    notices.push({
      path: ['containerVolumeInGb'],
      message: `${volume} GB is below ${NEWER_DOCS_MIN_VOLUME_GB} GB, the minimum in Yotta's newer API docs; the v1 API allows it, so it is sent as written, but Yotta may refuse it`,
    });
  }
  resourcesOf(value).forEach((r, i) => {
    const type = r?.gpuType;
    if (typeof type === 'string' && type !== '' && !GPU_CODES.includes(type)) {
      const suggestion = didYouMean(type, GPU_CODES);
      notices.push({
        path: ['resources', i, 'gpuType'],
        message: `unknown GPU type "${type}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; it is sent as written (\`yotta gpus\` lists the known types)`,
      });
    }
    const count = r?.gpuCount;
    if (typeof count === 'number' && Number.isInteger(count) && count > 0 && !Number.isInteger(Math.log2(count))) {
      notices.push({
        path: ['resources', i, 'gpuCount'],
        message: `${count} is not a power of two; Yotta's docs give GPU counts as powers of two (1, 2, 4, 8)`,
      });
    }
  });
  return notices;
}

/** A warning as text led by its path: `resources[0].gpuType: unknown GPU type ...`. */
export function noticeText(n: SpecNotice): string {
  return `${formatPath(n.path)}: ${n.message}`;
}

/** A schema problem as text led by its path: `resources[0].gpuCount: must be at least 1, got 0`. */
export function problemText(p: SchemaProblem): string {
  const where = formatPath(p.at === 'value' ? p.path : p.path.slice(0, -1));
  return where ? `${where}: ${p.message}` : p.message;
}
