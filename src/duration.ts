/** Parsing of human durations (`30s`, `2m`, `1h30m`, `500ms`, or bare seconds) into milliseconds. */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `value` as a duration in ms; `what` names the flag in the error. */
export function parseDuration(value: string, what: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length || !(total > 0)) {
    throw new UsageError(`${what}: "${value}" is not a duration; use e.g. 30s, 2m, 1h30m or a number of seconds`);
  }
  return Math.round(total);
}

/** Formats ms as a short duration: `45s`, `2m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
