/**
 * Between live deployments and specs: the spec of a deployment (for `get -o yaml`, and the base of
 * an update) and the field-level differences between a spec and a deployment (for apply/diff).
 * Light (no zod, no yaml).
 */
import type { ElasticDeploymentDetail, EnvironmentVar, ServiceMode } from '../api/types.js';
import type { DeploySpec } from './schema.js';
import { isRecord } from '../records.js';

/**
 * The spec of a live deployment, which create or apply accept back: read-only fields (id, creator,
 * domain, status, worker totals, prices, cost, display names, per-card sizes) are dropped, workers
 * is the deployment's totalWorkers, and keys follow the order of deploy.example.yaml. The server's
 * data is not trusted to be well-formed: a list or object that is not one is left out, not thrown on.
 */
export function specFromDeployment(d: ElasticDeploymentDetail): DeploySpec {
  const expose = isRecord(d.expose) ? d.expose : undefined;
  const env = environmentOf(d.environmentVars);
  const spec: DeploySpec = {
    name: d.name,
    image: d.image,
    ...(d.imageRegistry ? { imageRegistry: d.imageRegistry } : {}),
    resources: (Array.isArray(d.resources) ? d.resources : [])
      .filter(isRecord)
      .map((r) => ({ region: r.region, gpuType: r.gpuType, gpuCount: r.gpuCount }) as DeploySpec['resources'][number]),
    ...(typeof d.minSingleCardVramInGb === 'number' ? { minSingleCardVramInGb: d.minSingleCardVramInGb } : {}),
    ...(typeof d.minSingleCardVcpu === 'number' ? { minSingleCardVcpu: d.minSingleCardVcpu } : {}),
    ...(typeof d.minSingleCardRamInGb === 'number' ? { minSingleCardRamInGb: d.minSingleCardRamInGb } : {}),
    containerVolumeInGb: d.containerVolumeInGb,
    ...(d.credentialId ? { credentialId: d.credentialId } : {}),
    workers: d.totalWorkers,
    serviceMode: String(d.serviceMode).toUpperCase() as ServiceMode,
    initializationCommand: d.initializationCommand ?? '',
    ...(env.length > 0 ? { environmentVars: env } : {}),
    ...(expose ? { expose: { port: expose.port as number, protocol: String(expose.protocol ?? 'HTTP').toUpperCase() } } : {}),
  };
  return spec;
}

/** Environment variables as a `{key, value}` list, from the documented list or a `{NAME: value}` map; junk entries are skipped. */
function environmentOf(value: unknown): EnvironmentVar[] {
  if (Array.isArray(value)) {
    return value.filter(isRecord).map((e) => ({ key: e.key, value: e.value }) as EnvironmentVar);
  }
  if (isRecord(value)) return Object.entries(value).map(([key, v]) => ({ key, value: v }) as EnvironmentVar);
  return [];
}

/** One field where a spec and a deployment differ; `want` or `have` is undefined when absent on that side. */
export interface SpecDifference {
  /** `workers`, `expose.port`, `environmentVars.HF_HOME`, `resources`. */
  path: string;
  want: unknown;
  have: unknown;
}

function resourceKey(r: { region: string; gpuType: string; gpuCount: number }): string {
  return `${r.region}\0${r.gpuType}\0${r.gpuCount}`;
}

function envMap(list: readonly EnvironmentVar[] | undefined): Map<string, string> {
  return new Map((list ?? []).map((e) => [e.key, e.value]));
}

/**
 * The fields where `spec` asks for something other than what `live` has. Only fields present in
 * the spec count; an empty imageRegistry, credentialId or initializationCommand equals an absent one;
 * resources compare as a set; environmentVars per variable (the spec's list is the whole set).
 * Values may include secrets: mask them before showing.
 */
export function diffSpec(spec: Partial<DeploySpec>, live: ElasticDeploymentDetail): SpecDifference[] {
  const diffs: SpecDifference[] = [];
  const have = specFromDeployment(live);
  const push = (path: string, want: unknown, current: unknown) => diffs.push({ path, want, have: current });

  for (const key of ['name', 'image', 'minSingleCardVramInGb', 'minSingleCardVcpu', 'minSingleCardRamInGb', 'containerVolumeInGb', 'workers'] as const) {
    if (spec[key] !== undefined && spec[key] !== have[key]) push(key, spec[key], have[key]);
  }
  for (const key of ['imageRegistry', 'credentialId', 'initializationCommand'] as const) {
    if (spec[key] !== undefined && (spec[key] ?? '') !== (have[key] ?? '')) push(key, spec[key], have[key] || undefined);
  }
  if (spec.serviceMode !== undefined && spec.serviceMode.toUpperCase() !== have.serviceMode) push('serviceMode', spec.serviceMode.toUpperCase(), have.serviceMode);
  if (spec.resources !== undefined) {
    const want = spec.resources.map(resourceKey).sort();
    const current = have.resources.map(resourceKey).sort();
    if (want.length !== current.length || want.some((k, i) => k !== current[i])) {
      push('resources', spec.resources.map((r) => ({ region: r.region, gpuType: r.gpuType, gpuCount: r.gpuCount })), have.resources);
    }
  }
  if (spec.environmentVars !== undefined) {
    const want = envMap(spec.environmentVars);
    const current = envMap(have.environmentVars);
    for (const key of new Set([...want.keys(), ...current.keys()])) {
      if (want.get(key) !== current.get(key)) push(`environmentVars.${key}`, want.get(key), current.get(key));
    }
  }
  if (spec.expose !== undefined) {
    if (!have.expose) push('expose', spec.expose, undefined);
    else {
      if (spec.expose.port !== have.expose.port) push('expose.port', spec.expose.port, have.expose.port);
      const protocol = (spec.expose.protocol ?? 'HTTP').toUpperCase();
      if (protocol !== have.expose.protocol) push('expose.protocol', protocol, have.expose.protocol);
    }
  }
  return diffs;
}
