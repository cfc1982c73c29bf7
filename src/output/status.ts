/** Status colours: one table for deployments, one for workers; an unknown status is shown as it came. */
import type { Colors } from './colors.js';
import { cell } from './format.js';

type Paint = keyof Omit<Colors, 'enabled'>;

const DEPLOYMENT_COLORS: Readonly<Record<string, Paint>> = {
  RUNNING: 'green',
  INITIALIZING: 'yellow',
  STOPPING: 'yellow',
  STOPPED: 'dim',
  TERMINATED: 'dim',
  FAILED: 'red',
};

const WORKER_COLORS: Readonly<Record<string, Paint>> = {
  RUNNING: 'green',
  INITIALIZE: 'yellow',
  TERMINATING: 'yellow',
  TERMINATED: 'dim',
  FAILED: 'red',
};

function paint(table: Readonly<Record<string, Paint>>, status: unknown, c: Colors): string {
  const text = cell(status);
  const colour = Object.hasOwn(table, text) ? table[text] : undefined;
  return colour ? c[colour](text) : text;
}

/** A deployment status, coloured: RUNNING green, INITIALIZING/STOPPING yellow, STOPPED dim, FAILED red. */
export function deploymentStatus(status: unknown, c: Colors): string {
  return paint(DEPLOYMENT_COLORS, status, c);
}

/** A worker status, coloured: RUNNING green, INITIALIZE/TERMINATING yellow, TERMINATED dim, FAILED red. */
export function workerStatus(status: unknown, c: Colors): string {
  return paint(WORKER_COLORS, status, c);
}

const TASK_COLORS: Readonly<Record<string, Paint>> = {
  SUCCESS: 'green',
  DELIVERED: 'green',
  PROCESSING: 'yellow',
  FAILED: 'red',
};

/** A task status, coloured: SUCCESS/DELIVERED green, PROCESSING yellow, FAILED red. */
export function taskStatus(status: unknown, c: Colors): string {
  return paint(TASK_COLORS, status, c);
}
