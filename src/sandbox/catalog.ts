/**
 * What the sandbox reports about hardware and regions: display names and per-card vCPU/RAM.
 * The vCPU and RAM figures are the sandbox's own illustrative numbers, not Yotta's inventory.
 */
import { findGpuType } from '../gpus.js';

/** Per-card hardware of a GPU type, as ResourceResponse and worker details show it. */
export interface CardSpec {
  gpuDisplayName: string;
  singleCardVramInGb: number;
  singleCardVcpu: number;
  singleCardRamInGb: number;
}

/** Per-card hardware for a GPU code; bigger cards come with more vCPU and RAM, as on most clouds. */
export function cardSpec(gpuType: string): CardSpec {
  const gpu = findGpuType(gpuType);
  const vram = gpu?.vramGb ?? 80;
  const vcpu = vram <= 32 ? 8 : vram <= 48 ? 12 : vram <= 96 ? 16 : 24;
  return { gpuDisplayName: gpu?.name ?? gpuType, singleCardVramInGb: vram, singleCardVcpu: vcpu, singleCardRamInGb: vcpu * 8 };
}

/**
 * A region's display name as Yotta shows it: `us-east-1` → "US East". That one pair is Yotta's; the
 * docs list no others, so the sandbox extends it to any code: a trailing `-1` is dropped, other
 * numbers kept, short area words in capitals (`us-east-2` → "US East 2", `ap-southeast-1` →
 * "AP Southeast", `eu-2` → "EU 2").
 */
export function regionDisplayName(region: string): string {
  const parts = region.split(/[-_\s]+/).filter((p) => p !== '');
  if (parts.length > 1 && parts[parts.length - 1] === '1') parts.pop();
  const words = parts.map((p) => (p.length <= 2 ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1)));
  return words.length > 0 ? words.join(' ') : region;
}
