/**
 * Fault injection: rules that make the sandbox misbehave the way real networks and gateways do,
 * so the client's retries, timeouts and error messages can be tested end to end.
 */
import { UsageError } from '../errors.js';

/** The kinds of fault the sandbox can inject. */
export const FAULT_KINDS = ['latency', 'status', 'html', 'retry-after', 'reset-before', 'reset-after', 'numeric-ids', 'envelope'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * One fault. It applies to requests matching `match` (method, case-insensitive; path, a substring
 * of the URL path or a `/regex/`), `times` times (default 1), then is used up.
 * - latency: wait `ms` (default 1000), then answer normally (combines with one other fault).
 * - status: HTTP `status` (default 503) with an envelope (`code` default 10002, `message`); not applied.
 * - html: HTTP `status` (default 502) with an HTML gateway page; not applied.
 * - retry-after: HTTP 429 with `Retry-After: retryAfterSeconds` (default 1); not applied.
 * - reset-before: the connection is destroyed before the request is applied.
 * - reset-after: the request is applied, then the connection is destroyed without an answer.
 * - numeric-ids: a normal answer, with every `id` written as a bare JSON number (all 18 digits).
 * - envelope: HTTP 200 with envelope `code` (default 10002) and `message`; not applied.
 */
export interface FaultRule {
  match?: { method?: string; path?: string };
  times?: number;
  kind: FaultKind;
  ms?: number;
  status?: number;
  retryAfterSeconds?: number;
  code?: number;
  message?: string;
}

/** Whether `rule` matches this request (method and URL path). */
export function faultMatches(rule: FaultRule, method: string, path: string): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path) {
    const p = m.path;
    if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
      if (!new RegExp(p.slice(1, -1)).test(path)) return false;
    } else if (!path.includes(p)) {
      return false;
    }
  }
  return true;
}

/** A live list of fault rules; each use counts down its `times`. */
export class FaultSet {
  private rules: { rule: FaultRule; left: number }[] = [];

  constructor(rules: readonly FaultRule[] = []) {
    for (const r of rules) this.add(r);
  }

  /** Adds a rule (checked first-added first). */
  add(rule: FaultRule): void {
    checkRule(rule, 'fault');
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /**
   * Takes the faults for one request: every matching latency rule, and the first matching rule
   * of any other kind. Each taken rule is used once.
   */
  take(method: string, path: string): { latencyMs: number; fault?: FaultRule } {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const entry of this.rules) {
      if (entry.left <= 0 || !faultMatches(entry.rule, method, path)) continue;
      if (entry.rule.kind === 'latency') {
        latencyMs += entry.rule.ms ?? 1000;
        entry.left -= 1;
      } else if (!fault) {
        fault = entry.rule;
        entry.left -= 1;
      }
    }
    this.rules = this.rules.filter((e) => e.left > 0);
    return { latencyMs, ...(fault ? { fault } : {}) };
  }
}

function checkRule(rule: unknown, where: string): asserts rule is FaultRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new UsageError(`${where}: a fault rule must be an object`);
  const r = rule as Record<string, unknown>;
  if (!(FAULT_KINDS as readonly unknown[]).includes(r.kind)) {
    throw new UsageError(`${where}: kind must be one of ${FAULT_KINDS.join(', ')} (got ${JSON.stringify(r.kind)})`);
  }
  for (const k of ['times', 'ms', 'status', 'retryAfterSeconds', 'code'] as const) {
    if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isInteger(r[k]) || (r[k] as number) < 0)) {
      throw new UsageError(`${where}: ${k} must be a non-negative integer`);
    }
  }
  if (r.status !== undefined && ((r.status as number) < 100 || (r.status as number) > 599)) throw new UsageError(`${where}: status must be an HTTP status 100-599`);
  if (r.match !== undefined && (typeof r.match !== 'object' || r.match === null)) throw new UsageError(`${where}: match must be an object {method, path}`);
}

/** Fault rules from YOTTA_SANDBOX_FAULTS, a JSON array of FaultRule (empty when unset). */
export function faultsFromEnv(env: Readonly<Record<string, string | undefined>>): FaultRule[] {
  const text = env.YOTTA_SANDBOX_FAULTS;
  if (text === undefined || text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`YOTTA_SANDBOX_FAULTS is not valid JSON: ${(err as Error).message}`, 'Set it to a JSON array such as [{"kind":"status","status":503}].');
  }
  if (!Array.isArray(parsed)) throw new UsageError('YOTTA_SANDBOX_FAULTS must be a JSON array of fault rules');
  parsed.forEach((r, i) => checkRule(r, `YOTTA_SANDBOX_FAULTS[${i}]`));
  return parsed as FaultRule[];
}
