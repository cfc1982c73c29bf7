/**
 * The sandbox's price table and money formatting. Prices travel as decimal strings, as the API
 * sends them.
 */
import { GPU_TYPES } from '../gpus.js';

/** Dollars per H100 GPU-hour: the example price in Yotta's documentation. */
export const H100_HOURLY_RATE = 1.85;

/** Dollars per GB-hour of container volume: the example price in Yotta's documentation. */
export const DISK_HOURLY_RATE_PER_GB = 0.001;

const H100_VRAM_GB = 80;

/**
 * Dollars per GPU-hour by GPU code. Only the H100 rate is Yotta's; every other number is the
 * sandbox's own illustrative rate, scaled from the H100 rate by VRAM (rounded to cents). They are
 * not Yotta's prices and exist only so that cost columns show plausible, distinct values.
 */
export const GPU_HOURLY_RATES: Readonly<Record<string, number>> = Object.fromEntries(
  GPU_TYPES.map((g) => [
    g.code,
    g.code === 'NVIDIA_H100_80G' ? H100_HOURLY_RATE : Math.round(H100_HOURLY_RATE * (g.vramGb / H100_VRAM_GB) * 100) / 100,
  ]),
);

/** Dollars per hour of one GPU of this type (the H100 rate for a code not in the table). */
export function gpuHourlyRate(gpuType: string): number {
  return GPU_HOURLY_RATES[gpuType] ?? H100_HOURLY_RATE;
}

/** Dollars per hour of one worker: its GPUs plus its container volume. */
export function workerHourlyRate(gpuType: string, gpuCount: number, containerVolumeInGb: number): number {
  return gpuHourlyRate(gpuType) * gpuCount + DISK_HOURLY_RATE_PER_GB * containerVolumeInGb;
}

/**
 * A dollar amount as a decimal string with at least 2 and at most `maxDecimals` decimals
 * (`1.9` → "1.90", `0.000513888…` → "0.00051389" with 8).
 */
export function formatMoney(value: number, maxDecimals = 6): string {
  const fixed = (Math.round(value * 10 ** maxDecimals) / 10 ** maxDecimals).toFixed(maxDecimals);
  const [whole, frac = ''] = fixed.split('.');
  let trimmed = frac.replace(/0+$/, '');
  if (trimmed.length < 2) trimmed = trimmed.padEnd(2, '0');
  return `${whole}.${trimmed}`;
}
