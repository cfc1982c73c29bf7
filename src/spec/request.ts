/**
 * Request bodies from a spec file and flags (flags win), checked before anything is sent. Every
 * problem is reported at once, each where it came from: `deploy.yaml:LINE:COL: ...` for the file,
 * `--workers: ...` for a flag, `deployment <id>: ...` for a value the live deployment already has.
 */
import type {
  CreateDeploymentRequest,
  ElasticDeploymentDetail,
  EnvironmentVar,
  Resource,
  UpdateDeploymentRequest,
} from '../api/types.js';
import { SpecError } from '../errors.js';
import type { SpecProblem } from '../errors.js';
import { crossFieldProblems, noticeText, problemText, specWarnings } from './checks.js';
import { specFromDeployment } from './deployment.js';
import { FIELD_FLAGS } from './flags.js';
import type { SpecFlags } from './flags.js';
import type { ParsedSpecDoc } from './load.js';
import { formatAt, formatPath } from './paths.js';
import type { SpecPath } from './paths.js';
import { checkSpec } from './schema.js';
import type { DeploySpec, SchemaProblem, SpecMode } from './schema.js';

/** A request body ready to send, and the warnings to show first. */
export interface BuiltRequest<T> {
  body: T;
  warnings: string[];
}

/** Where a merged value came from. */
type Origin = { kind: 'file' } | { kind: 'flag'; flag: string } | { kind: 'live' };
type ResourceField = keyof Resource;

/** Fields that only a new deployment can change. */
const IMMUTABLE = ['image', 'imageRegistry', 'serviceMode'] as const;

const REQUIRED_HINT: Record<string, string> = {
  resources: '--region and --gpu-type (or --resource)',
};

/** The merged spec and the origin of each of its parts. */
class Merge {
  value: Record<string, unknown> = {};
  private top = new Map<string, Origin>();
  private envOrigins: Origin[] = [];
  private resourceOrigins: Array<Partial<Record<ResourceField, Origin>>> = [];
  /** Problems found while merging (a resource flag that does not fit the spec's resources). */
  problems: SpecProblem[] = [];

  constructor(
    private readonly file: ParsedSpecDoc | undefined,
    private readonly liveId?: string,
  ) {}

  layer(spec: Partial<DeploySpec>, origin: (key: string) => Origin): void {
    for (const [key, v] of Object.entries(spec)) {
      if (v === undefined || key === 'resourcePatch') continue;
      const o = origin(key);
      if (key === 'environmentVars' && o.kind === 'flag') {
        this.overlayEnv(v as EnvironmentVar[], o);
        continue;
      }
      this.value[key] = structuredClone(v);
      this.top.set(key, o);
      if (key === 'environmentVars') this.envOrigins = (v as unknown[]).map(() => o);
      if (key === 'resources') this.resourceOrigins = (v as unknown[]).map(() => ({}));
    }
  }

  /** `--env` replaces the variable of the same name, or adds one. */
  private overlayEnv(entries: EnvironmentVar[], origin: Origin): void {
    const list = Array.isArray(this.value.environmentVars) ? (this.value.environmentVars as EnvironmentVar[]) : [];
    if (!this.top.has('environmentVars')) this.top.set('environmentVars', origin);
    for (const e of entries) {
      const at = list.findIndex((x) => x.key === e.key);
      if (at >= 0) {
        list[at] = { ...e };
        this.envOrigins[at] = origin;
      } else {
        list.push({ ...e });
        this.envOrigins.push(origin);
      }
    }
    this.value.environmentVars = list;
  }

  /** Applies --region/--gpu-type/--gpu-count to the resources merged so far. */
  patchResources(patch: Partial<Resource>): void {
    const base = Array.isArray(this.value.resources) ? (this.value.resources as Resource[]) : [];
    const flagOf: Record<ResourceField, string> = { region: '--region', gpuType: '--gpu-type', gpuCount: '--gpu-count' };
    const origins = (fields: ResourceField[]) => Object.fromEntries(fields.map((f) => [f, { kind: 'flag', flag: flagOf[f] } as Origin]));
    const given = (Object.keys(patch) as ResourceField[]).filter((f) => patch[f] !== undefined);
    const flagProblem = (flag: string, message: string) => this.problems.push({ file: flag, line: 0, col: 0, message });

    if (patch.region !== undefined && patch.gpuType !== undefined) {
      const gpuCount = patch.gpuCount ?? base[0]?.gpuCount ?? 1;
      this.value.resources = [{ region: patch.region, gpuType: patch.gpuType, gpuCount }];
      this.top.set('resources', { kind: 'flag', flag: '--region' });
      this.resourceOrigins = [origins(given)];
      return;
    }
    if (base.length === 0) {
      const flag = patch.region !== undefined ? '--region' : patch.gpuType !== undefined ? '--gpu-type' : '--gpu-count';
      flagProblem(flag, 'the spec has no resources to change; give both --region and --gpu-type, or --resource region:gpuType:count');
      return;
    }
    if ((patch.region !== undefined || patch.gpuType !== undefined) && base.length > 1) {
      const [flag, other] = patch.region !== undefined ? ['--region', '--gpu-type'] : ['--gpu-type', '--region'];
      flagProblem(flag, `the spec has ${base.length} resources; give ${other} too to replace them with one, or use --resource region:gpuType:count (repeatable)`);
      return;
    }
    this.value.resources = base.map((r, i) => {
      const next = { ...r, ...Object.fromEntries(given.map((f) => [f, patch[f]])) };
      this.resourceOrigins[i] = { ...this.resourceOrigins[i], ...origins(given) };
      return next;
    });
  }

  originOf(path: SpecPath): Origin | undefined {
    const [head, index, field] = path;
    if (typeof head !== 'string') return this.file ? { kind: 'file' } : undefined;
    if (head === 'environmentVars' && typeof index === 'number') return this.envOrigins[index] ?? this.top.get(head);
    if (head === 'resources' && typeof index === 'number' && typeof field === 'string') {
      return this.resourceOrigins[index]?.[field as ResourceField] ?? this.top.get(head);
    }
    return this.top.get(head);
  }

  /** A schema problem in the words and at the place of the value's origin. */
  toSpecProblem(p: SchemaProblem, verb: 'create' | 'update'): SpecProblem {
    const origin = p.missing && p.path.length === 1 ? undefined : this.originOf(p.path);
    const key = String(p.path[0] ?? '');
    if (!origin) {
      const hint = REQUIRED_HINT[key] ?? FIELD_FLAGS[key] ?? '';
      if (this.file) {
        return { file: this.file.file, ...this.file.positionOf([]), message: `missing required key "${key}" (add it to the spec${hint ? `, or pass ${hint}` : ''})` };
      }
      return { file: hint || key, line: 0, col: 0, message: `required to ${verb} a deployment (or give a spec file with -f)` };
    }
    if (origin.kind === 'file' && this.file) {
      const target = p.at === 'parent' ? p.path.slice(0, -1) : p.path;
      return { file: this.file.file, ...this.file.positionOf(target), message: problemText(p) };
    }
    if (origin.kind === 'flag') {
      // A flag sets one field: its name says where, except for the repeatable ones.
      const message = origin.flag === '--resource' || origin.flag === '--env' ? problemText(p) : p.message;
      return { file: origin.flag, line: 0, col: 0, message };
    }
    const flag = FIELD_FLAGS[key];
    const fix = (IMMUTABLE as readonly string[]).includes(key) ? '' : ` (its current value; set ${key} in the spec${flag ? ` or with ${flag}` : ''})`;
    return { file: `deployment ${this.liveId ?? ''}`.trim(), line: 0, col: 0, message: `${problemText(p)}${fix}` };
  }

  /**
   * Warnings with their origin; values the deployment already has are not warned about again.
   * The file's own YAML warnings (an unknown tag) come first; its spec warnings are recomputed on
   * the merged spec, since flags may have replaced the values they were about.
   */
  warnings(value: unknown): string[] {
    const out: string[] = [];
    if (this.file) {
      const file = this.file;
      const own = new Set(specWarnings(file.spec).map((n) => formatAt(file.file, file.positionOf(n.path), noticeText(n))));
      out.push(...file.warnings.filter((w) => !own.has(w)));
    }
    for (const n of specWarnings(value)) {
      const origin = this.originOf(n.path);
      if (origin?.kind === 'file' && this.file) {
        out.push(formatAt(this.file.file, this.file.positionOf(n.path), noticeText(n)));
      } else if (origin?.kind === 'flag') {
        out.push(`${origin.flag}: ${origin.flag === '--resource' ? `${formatPath(n.path)}: ` : ''}${n.message}`);
      }
    }
    return [...new Set(out)];
  }
}

/** File problems by position first, then flag and deployment problems in the order found; each once. */
function ordered(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const ka = a.p.line > 0 ? 0 : 1;
      const kb = b.p.line > 0 ? 0 : 1;
      return ka - kb || (ka === 0 ? a.p.line - b.p.line || a.p.col - b.p.col : 0) || a.i - b.i;
    })
    .map(({ p }) => p)
    .filter((p) => {
      const k = `${p.file}\0${p.line}\0${p.col}\0${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function flagOrigin(key: string): Origin {
  return { kind: 'flag', flag: FIELD_FLAGS[key] ?? `--${key}` };
}

/** Checks the merged value (and `crossValue` for the rules across fields); throws every problem found. */
function checkMerged<T>(
  merge: Merge,
  checked: { ok: true; data: T } | { ok: false; problems: SchemaProblem[] },
  crossValue: unknown,
  mode: Exclude<SpecMode, 'file'>,
  extra: SpecProblem[] = [],
): T {
  const problems = [...merge.problems, ...extra];
  const schemaProblems = [...(checked.ok ? [] : checked.problems), ...crossFieldProblems(crossValue, mode)];
  for (const p of schemaProblems) problems.push(merge.toSpecProblem(p, mode));
  if (problems.length > 0 || !checked.ok) throw new SpecError(ordered(problems));
  return checked.data;
}

function requestResources(resources: readonly Resource[]): Resource[] {
  return resources.map((r) => ({ region: r.region, gpuType: r.gpuType, gpuCount: r.gpuCount }));
}

function requestEnv(env: readonly EnvironmentVar[] | undefined): { environmentVars?: EnvironmentVar[] } {
  return env ? { environmentVars: env.map((e) => ({ key: e.key, value: e.value })) } : {};
}

function requestExpose(expose: { port: number; protocol?: string } | undefined): { expose?: { port: number; protocol: string } } {
  return expose ? { expose: { port: expose.port, protocol: (expose.protocol ?? 'HTTP').toUpperCase() } } : {};
}

function cardLimits(s: Partial<DeploySpec>): Pick<CreateDeploymentRequest, 'minSingleCardVramInGb' | 'minSingleCardVcpu' | 'minSingleCardRamInGb'> {
  return {
    ...(s.minSingleCardVramInGb !== undefined ? { minSingleCardVramInGb: s.minSingleCardVramInGb } : {}),
    ...(s.minSingleCardVcpu !== undefined ? { minSingleCardVcpu: s.minSingleCardVcpu } : {}),
    ...(s.minSingleCardRamInGb !== undefined ? { minSingleCardRamInGb: s.minSingleCardRamInGb } : {}),
  };
}

/**
 * The create body from a spec document and flags (flags win). Throws a SpecError listing every
 * problem; returns only documented fields, serviceMode upper-case, environmentVars as a list.
 */
export function buildCreateRequest(file: ParsedSpecDoc | undefined, flags: SpecFlags): BuiltRequest<CreateDeploymentRequest> {
  const merge = new Merge(file);
  if (file) merge.layer(file.spec, () => ({ kind: 'file' }));
  merge.layer(flags, flagOrigin);
  if (flags.resourcePatch) merge.patchResources(flags.resourcePatch);
  const s = checkMerged(merge, checkSpec(merge.value, 'create'), merge.value, 'create');
  const body: CreateDeploymentRequest = {
    name: s.name,
    image: s.image,
    ...(s.imageRegistry ? { imageRegistry: s.imageRegistry } : {}),
    resources: requestResources(s.resources),
    ...cardLimits(s),
    containerVolumeInGb: s.containerVolumeInGb,
    ...(s.credentialId ? { credentialId: s.credentialId } : {}),
    workers: s.workers,
    serviceMode: s.serviceMode,
    initializationCommand: s.initializationCommand,
    ...requestEnv(s.environmentVars),
    ...requestExpose(s.expose),
  };
  return { body, warnings: merge.warnings(merge.value) };
}

/**
 * The full update body: the live deployment's values, overlaid by the spec document and then the
 * flags. Asking for a different image, imageRegistry or serviceMode is an error (exit 2): those
 * only change with a new deployment. The same values are fine (a spec from `get -o yaml` has them).
 */
export function buildUpdateRequest(live: ElasticDeploymentDetail, file: ParsedSpecDoc | undefined, flags: SpecFlags): BuiltRequest<UpdateDeploymentRequest> {
  const merge = new Merge(file, live.id);
  const current = specFromDeployment(live);
  merge.layer(current, () => ({ kind: 'live' }));
  if (file) merge.layer(file.spec, () => ({ kind: 'file' }));
  merge.layer(flags, flagOrigin);
  if (flags.resourcePatch) merge.patchResources(flags.resourcePatch);

  const immutable: SpecProblem[] = [];
  for (const key of IMMUTABLE) {
    const origin = merge.originOf([key]);
    if (!origin || origin.kind === 'live') continue;
    const norm = (v: unknown) => (key === 'serviceMode' ? String(v ?? '').toUpperCase() : String(v ?? ''));
    const want = norm(merge.value[key]);
    const have = norm(current[key]);
    if (want === have) continue;
    const showHave = have === '' ? (key === 'imageRegistry' ? 'Docker Hub (none set)' : 'none') : JSON.stringify(have);
    const showWant = want === '' ? (key === 'imageRegistry' ? 'Docker Hub (none)' : 'none') : JSON.stringify(want);
    const message = `${key} cannot be changed by update (the deployment has ${showHave}, this asks for ${showWant}); create a new deployment instead: \`yotta deploy create\``;
    if (origin.kind === 'file' && file) immutable.push({ file: file.file, ...file.positionOf([key]), message });
    else if (origin.kind === 'flag') immutable.push({ file: origin.flag, line: 0, col: 0, message });
  }

  // Only the fields of the update body are checked; serviceMode stays for the ALB-needs-expose rule.
  const value: Record<string, unknown> = { ...merge.value };
  delete value.image;
  delete value.imageRegistry;
  const checkedValue = { ...value };
  delete checkedValue.serviceMode;
  const s = checkMerged(merge, checkSpec(checkedValue, 'update'), value, 'update', immutable);
  const body: UpdateDeploymentRequest = {
    name: s.name,
    resources: requestResources(s.resources),
    ...cardLimits(s),
    containerVolumeInGb: s.containerVolumeInGb,
    // An empty id is sent, not left out: it clears the credential whether Yotta keeps or clears an omitted field.
    ...(s.credentialId !== undefined ? { credentialId: s.credentialId } : {}),
    workers: s.workers,
    ...(s.initializationCommand !== undefined ? { initializationCommand: s.initializationCommand } : {}),
    ...requestEnv(s.environmentVars),
    ...requestExpose(s.expose),
  };
  return { body, warnings: merge.warnings(merge.value) };
}
