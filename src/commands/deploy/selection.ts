/**
 * How start, stop, delete and scale are told which deployments to act on, and how hard: the
 * references or `--all` (with `--status`), `--yes`, `--concurrency`, checked before anything is sent.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Selection } from '../../services/runner.js';
import { UsageError } from '../../errors.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { DEFAULT_CONCURRENCY, parseConcurrency } from '../../services/concurrency.js';
import { parseDeploymentStatuses } from './arguments.js';

/** How start, stop and delete choose deployments: named ones, or `--all` (optionally only those in `--status`). */
export interface SelectionFlags {
  /** Deployment ids or names, as typed. */
  refs: string[];
  /** Act on every deployment (every one in --status, when given). */
  all?: boolean;
  /** With --all: `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
}

/** Checks every reference before anything is sent (exit 2 on a bad one) and drops repeats as typed. */
export function checkRefs(refs: readonly string[]): string[] {
  if (refs.length === 0) throw new UsageError('name at least one deployment id or name, or pass --all');
  return [...new Set(refs.map(checkDeploymentRef))];
}

/** Checks the selection flags before anything is sent: ids and --all exclude each other, --status needs --all. */
export function checkSelection(flags: SelectionFlags): Selection {
  if (flags.all) {
    if (flags.refs.length > 0) {
      throw new UsageError(
        `--all acts on every deployment${flags.status ? ' in --status' : ''}; it cannot be combined with ids or names (${flags.refs.join(' ')})`,
        'Pass either the deployments to act on, or --all (with --status to choose which).',
      );
    }
    const statusList = parseDeploymentStatuses(flags.status);
    return statusList ? { all: true, statusList } : { all: true };
  }
  if (flags.status) throw new UsageError('--status chooses deployments for --all; add --all, or name the deployments instead');
  return { all: false, refs: checkRefs(flags.refs) };
}

/** `Stop 3 deployments: a (3788…0969), b (3788…0970)?` — the question naming every deployment affected. */
export function confirmQuestion(verb: string, names: readonly string[]): string {
  return names.length === 1 ? `${verb} ${names[0]}?` : `${verb} ${names.length} deployments: ${names.join(', ')}?`;
}

/** Adds `--concurrency <n>`: how many requests a command acting on several deployments runs at once. */
export function addConcurrencyFlag(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--concurrency <n>',
      `requests in flight at once when acting on several deployments (default ${DEFAULT_CONCURRENCY}; 1 sends them one after another); results are still reported in the order given`,
    ).argParser(parseConcurrency),
  );
}
