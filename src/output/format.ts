/**
 * Turning API values into display text. Every function takes `unknown` and never throws: the
 * server's data is shown as it came where it can be, and as "-" where it is missing or unusable.
 */
import { formatDuration } from '../duration.js';
import { escapeControls } from '../text.js';

/** What a table or field shows for a missing value. */
export const MISSING = '-';

/** A value as a plain record, or an empty one (so `rec.field` is always safe to read). */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A value as an array, or an empty one. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Makes server-supplied text safe to print on a terminal: control characters become visible escapes, `\n` included (a cell stays one line). */
export function safeText(text: string): string {
  return escapeControls(text, 'escape');
}

/** Display text of a scalar, or undefined when there is nothing sensible to show. */
export function textOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value === '' ? undefined : safeText(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return undefined;
  }
}

/** Display text of a scalar, "-" when missing. */
export function cell(value: unknown): string {
  return textOf(value) ?? MISSING;
}

/** A number from a number or a numeric string (the API sends some numbers as strings), else undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Money as `$3.70`, the one money format of every view: dollars and cents, rounded half up from the
 * API's decimal string digit by digit (no float rounding); an amount that is not zero but under half
 * a cent is `<$0.01`, so it never reads as free. Text that is not a number is shown as it came.
 */
export function formatMoney(value: unknown): string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return MISSING;
    text = Math.abs(value) < 1e15 ? value.toFixed(12) : String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return MISSING;
  }
  if (text === '') return MISSING;
  let m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && !m[3])) {
    // Exponent forms such as "1e-7": go through a number.
    const n = Number(text);
    const fixed = Number.isFinite(n) && Math.abs(n) < 1e15 ? n.toFixed(12) : undefined;
    m = fixed === undefined ? null : DECIMAL.exec(fixed);
    if (!m) return safeText(text);
  }
  const sign = m[1] === '-' ? '-' : '';
  const frac = m[3] ?? '';
  let cents = BigInt((m[2] || '0') + frac.slice(0, 2).padEnd(2, '0'));
  if (Number(frac[2] ?? '0') >= 5) cents += 1n;
  if (cents === 0n) return /[1-9]/.test(frac) ? `${sign === '-' ? '>-' : '<'}$0.01` : '$0.00';
  const digits = cents.toString().padStart(3, '0');
  return `${sign}$${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * What a deployment is billed per hour now: its price (for every worker) times the share of its
 * workers that run. A STOPPED deployment, or one whose workers are still starting, costs nothing.
 * Undefined when the price or the worker counts are missing.
 */
export function billedPerHour(d: Record<string, unknown>): number | undefined {
  const price = numberOf(d.perHourPrice);
  const total = numberOf(d.totalWorkers);
  const running = numberOf(d.runningWorkers);
  if (price === undefined || running === undefined) return undefined;
  if (running <= 0) return 0;
  return total && total > 0 ? (price * Math.min(running, total)) / total : price;
}

/** A price with its unit, `$1.85/h`; "-" when missing. */
export function formatRate(value: unknown, unit: 'h' | 's'): string {
  const money = formatMoney(value);
  return money === MISSING ? MISSING : `${money}/${unit}`;
}

/** Uptime from the API's milliseconds (a string or number) as `2m05s`; "-" when unusable. */
export function formatUptime(value: unknown): string {
  const ms = numberOf(value);
  return ms === undefined ? MISSING : formatDuration(ms);
}

/** A size in GB, `80 GB`; "-" when missing. */
export function formatGb(value: unknown): string {
  const n = numberOf(value);
  return n === undefined ? MISSING : `${n} GB`;
}

/** `1× H100` for one resource or worker: its card count and GPU (display name, else code). */
export function gpuLabel(item: unknown): string {
  const r = asRecord(item);
  const name = textOf(r.gpuDisplayName) ?? textOf(r.gpuType);
  const count = numberOf(r.gpuCount);
  if (name === undefined) return count === undefined ? MISSING : `${count}× ?`;
  return count === undefined ? name : `${count}× ${name}`;
}

/** The GPU of a deployment's first resource, with `+N` when its resources use N other GPU types. */
export function gpuSummary(resources: unknown): string {
  const list = asArray(resources);
  if (list.length === 0) return MISSING;
  const types = new Set(list.map((r) => textOf(asRecord(r).gpuType) ?? textOf(asRecord(r).gpuDisplayName) ?? '?'));
  const others = types.size - 1;
  return others > 0 ? `${gpuLabel(list[0])} +${others}` : gpuLabel(list[0]);
}

/** A region as code and Yotta's display name, `us-east-1 (US East)`; either one alone when that is all there is; "-" when none. */
export function regionLabel(item: unknown): string {
  const r = asRecord(item);
  const region = textOf(r.region);
  const place = textOf(r.regionDisplayName);
  return region && place && place !== region ? `${region} (${place})` : (region ?? place ?? MISSING);
}

/** The distinct regions of a deployment's resources, comma-joined; "-" when none. */
export function regionSummary(resources: unknown): string {
  const regions = new Set<string>();
  for (const r of asArray(resources)) {
    const region = textOf(asRecord(r).region);
    if (region !== undefined) regions.add(region);
  }
  return regions.size ? [...regions].join(',') : MISSING;
}

/**
 * `name (378888638324150969)` for narration; the bare id when there is no name. Ids stay whole
 * everywhere, so a user can paste one back into the next command.
 */
export function describeRef(id: string, name?: unknown): string {
  const n = textOf(name);
  const i = safeText(id);
  return n ? `${n} (${i})` : i;
}
