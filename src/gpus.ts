/**
 * The GPU types Yotta's documentation lists (../shared/yotta-api.md), shared by spec validation,
 * the sandbox and `yotta gpus`. Naming has drifted over time, so code that meets a type missing
 * here should warn, not fail.
 */

/** One GPU type: the API code, its display name and the memory of one card. */
export interface GpuType {
  code: string;
  name: string;
  vramGb: number;
}

/** Every GPU type in the docs' current list, plus `NVIDIA_L4_24G`, which Yotta's own examples use. */
export const GPU_TYPES: readonly GpuType[] = [
  { code: 'NVIDIA_RTX_4090_24G', name: 'RTX 4090', vramGb: 24 },
  { code: 'NVIDIA_RTX_5090_32G', name: 'RTX 5090', vramGb: 32 },
  { code: 'NVIDIA_RTX_A6000_48G', name: 'RTX A6000', vramGb: 48 },
  { code: 'NVIDIA_RTX_6000_Ada_48G', name: 'RTX 6000 Ada', vramGb: 48 },
  { code: 'NVIDIA_A100_PCIe_40G', name: 'A100 PCIe 40G', vramGb: 40 },
  { code: 'NVIDIA_A100_40G', name: 'A100 40G', vramGb: 40 },
  { code: 'NVIDIA_A100_PCIe_80G', name: 'A100 PCIe 80G', vramGb: 80 },
  { code: 'NVIDIA_A100_80G', name: 'A100 80GB', vramGb: 80 },
  { code: 'NVIDIA_H100_PCIe_80G', name: 'H100 PCIe', vramGb: 80 },
  { code: 'NVIDIA_H100_80G', name: 'H100', vramGb: 80 },
  { code: 'NVIDIA_RTX_PRO_6000_96G', name: 'RTX PRO 6000', vramGb: 96 },
  { code: 'NVIDIA_H200_141G', name: 'H200', vramGb: 141 },
  { code: 'NVIDIA_B200_180G', name: 'B200', vramGb: 180 },
  { code: 'NVIDIA_B300_262G', name: 'B300', vramGb: 262 },
  { code: 'AWS_Trainium_32G', name: 'Trainium1', vramGb: 32 },
  { code: 'AMD_MI300X_192G', name: 'MI300X', vramGb: 192 },
  { code: 'NVIDIA_L4_24G', name: 'L4', vramGb: 24 },
];

/** The GPU type with this exact code, if known. */
export function findGpuType(code: string): GpuType | undefined {
  return GPU_TYPES.find((g) => g.code === code);
}
