/**
 * Cost awareness: the price line that create, scale and apply show before (or, when the API only
 * knows it afterwards, after) they act — `Price: $3.90/h → $7.80/h`. Only the API's own
 * `perHourPrice` is used; a price that cannot be worked out from it is left out, never guessed.
 */
import type { ElasticDeploymentDetail } from '../api/types.js';
import type { Ui } from '../output/ui.js';
import { MISSING, formatMoney } from '../output/format.js';

/**
 * Whether price lines are shown: narration on a terminal only (stderr is a TTY), never under
 * --json, -o yaml or --quiet, so scripts and logs see exactly what they saw before.
 */
export function showsPrice(ui: Ui): boolean {
  return ui.ctx.stderr.isTTY && !ui.machine && !ui.quiet;
}

/** The deployment's `perHourPrice` as a number, or undefined when it is missing or not a number. */
export function hourlyPrice(d: Pick<ElasticDeploymentDetail, 'perHourPrice'> | undefined): number | undefined {
  const value = d?.perHourPrice;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The $/hour the deployment would cost with `workers` workers: perHourPrice / totalWorkers × workers,
 * as a decimal string. Undefined when that cannot be worked out (no price, or no workers to divide by).
 */
export function projectedHourlyPrice(d: ElasticDeploymentDetail, workers: number): string | undefined {
  const now = hourlyPrice(d);
  const total = d.totalWorkers;
  if (now === undefined || typeof total !== 'number' || !Number.isFinite(total) || total <= 0) return undefined;
  if (workers === total) return String(d.perHourPrice);
  // Six decimals, as the API's own prices; formatMoney drops the trailing zeros.
  return ((now / total) * workers).toFixed(6);
}

/** `Price: $3.90/h → $7.80/h`; undefined when either side is unknown or the price does not change. */
export function priceChangeLine(before: unknown, after: unknown): string | undefined {
  const from = formatMoney(before);
  const to = formatMoney(after);
  if (from === MISSING || to === MISSING || from === to) return undefined;
  return `Price: ${from}/h → ${to}/h`;
}

/** `Price: $3.90/h`; undefined when the deployment has no usable price. */
export function priceLine(d: Pick<ElasticDeploymentDetail, 'perHourPrice'> | undefined): string | undefined {
  if (hourlyPrice(d) === undefined) return undefined;
  return `Price: ${formatMoney(d?.perHourPrice)}/h`;
}

/** Shows `line` as narration when price lines are shown (see showsPrice) and there is one. */
export function showPrice(ui: Ui, line: string | undefined): void {
  if (line !== undefined && showsPrice(ui)) ui.info(line);
}
