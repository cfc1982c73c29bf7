/**
 * Human forms of tasks: `task get`'s grouped view and `task list`'s table. Secrets a task may carry
 * (a webhook key, forwarded Authorization or token headers) are masked before anything is shown,
 * in every format (maskTask), and server text is escaped for the terminal.
 */
import type { Task } from '../api/types.js';
import type { Ui } from './ui.js';
import type { Column } from './tables.js';
import { renderFields, renderTable } from './tables.js';
import { taskStatus } from './status.js';
import { MISSING, asRecord, cell, numberOf, safeText } from './format.js';
import { escapeControls } from '../text.js';
import { looksSecret, maskKey } from '../redact.js';
import { formatDuration } from '../duration.js';

/** A copy of a task with its secrets masked: `webhookAuthKey` and secret-looking `headers` values. */
export function maskTask(task: Task): Task {
  const out: Task = { ...task };
  if (typeof out.webhookAuthKey === 'string') out.webhookAuthKey = maskKey(out.webhookAuthKey);
  const headers = asRecord(task.headers);
  if (task.headers && typeof task.headers === 'object') {
    out.headers = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' && looksSecret(k) ? maskKey(v) : (v as string)]),
    );
  }
  return out;
}

/** An epoch-ms time as ISO 8601 (UTC), or undefined. */
export function formatTime(value: unknown): string | undefined {
  const ms = numberOf(value);
  if (ms === undefined || ms <= 0) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A JSON value, indented, for the terminal (control characters escaped, newlines kept). */
function jsonBlock(value: unknown, indent: string): string {
  const text = escapeControls(JSON.stringify(value, null, 2) ?? 'null', 'keep');
  return text
    .split('\n')
    .map((l) => indent + l)
    .join('\n');
}

/** The time a task took, from creation to its last update, once it has ended. */
function tookText(t: Task): string | undefined {
  const created = numberOf(t.createdAt);
  const updated = numberOf(t.updatedAt);
  if (created === undefined || updated === undefined || t.status === 'PROCESSING' || updated < created) return undefined;
  return formatDuration(updated - created);
}

/** `task get`: the task's fields, then its error, headers, input and output. Call with a masked task. */
export function renderTask(ui: Ui, t: Task): string {
  const r = asRecord(t);
  let text = renderFields([
    ['Task ID', cell(t.taskId)],
    ['Deployment', r.endpointName ? `${cell(r.endpointName)} (${cell(r.endpointId)})` : cell(r.endpointId)],
    ['Status', taskStatus(t.status, ui.outColors)],
    ['Worker URL', r.workerUrl ? cell(r.workerUrl) : undefined],
    ['Webhook', r.webhook ? cell(r.webhook) : undefined],
    ['Delivery', r.webhook ? `${cell(r.deliveryStatus)} (${cell(r.deliveryAttempts)} attempt${r.deliveryAttempts === 1 ? '' : 's'})` : undefined],
    ['Created', formatTime(r.createdAt) ?? MISSING],
    ['Updated', formatTime(r.updatedAt)],
    ['Delivered', formatTime(r.deliveredAt)],
    ['Took', tookText(t)],
    ['Error', typeof r.error === 'string' && r.error !== '' ? safeText(r.error) : undefined],
  ]);
  const headers = Object.entries(asRecord(t.headers));
  if (headers.length > 0) {
    text += 'Headers:\n' + renderFields(headers.map(([k, v]) => [safeText(k), cell(v)] as const), '  ');
  }
  if (t.input !== undefined) text += `Input:\n${jsonBlock(t.input, '  ')}\n`;
  if (t.output !== undefined && t.output !== null) text += `Output:\n${jsonBlock(t.output, '  ')}\n`;
  return text;
}

/** `task list`: TASK ID, STATUS, CREATED, UPDATED, DELIVERY, ERROR (cut to fit a terminal). */
export function renderTaskTable(ui: Ui, tasks: readonly Task[], headers: boolean): string {
  const columns: Column[] = [{ header: 'TASK ID' }, { header: 'STATUS' }, { header: 'CREATED' }, { header: 'UPDATED' }, { header: 'DELIVERY' }, { header: 'ERROR', shrink: true }];
  const rows = tasks.map((t) => [
    cell(t.taskId),
    taskStatus(t.status, ui.outColors),
    formatTime(t.createdAt) ?? MISSING,
    formatTime(t.updatedAt) ?? MISSING,
    t.webhook ? cell(t.deliveryStatus) : MISSING,
    typeof t.error === 'string' && t.error !== '' ? safeText(t.error) : MISSING,
  ]);
  const width = ui.format === 'table' && ui.ctx.stdout.isTTY ? ui.ctx.stdout.columns : undefined;
  const table = renderTable(columns, rows, width);
  return headers ? table : table.split('\n').slice(1).join('\n');
}
