/**
 * The task ids of recent submissions, for shell completion of `task get` and `task wait`: kept in
 * a small file in the config folder by `task submit`, read by `yotta __complete tasks`. Best effort
 * both ways: a file that cannot be read or written costs only completion.
 */
import { join } from 'node:path';
import type { Context } from '../context.js';
import { configDir } from '../config/paths.js';
import { writeFileAtomic } from '../atomic-write.js';
import { readTextFile } from '../config/read-text.js';

/** The file that remembers recent task ids (for completion), inside configDir(). */
export const RECENT_TASKS_FILE = 'recent-tasks.json';
/** How many task ids are remembered. */
export const RECENT_TASKS_KEPT = 50;

/** A remembered submission. */
export interface RecentTask {
  deploymentId: string;
  taskId: string;
  at: number;
}

/** The remembered task ids, newest first; [] when the file is missing or unreadable. */
export async function readRecentTasks(ctx: Context): Promise<RecentTask[]> {
  try {
    const parsed = JSON.parse(await readTextFile(join(configDir(ctx), RECENT_TASKS_FILE))) as { version?: number; tasks?: unknown };
    if (parsed.version !== 1 || !Array.isArray(parsed.tasks)) return [];
    return parsed.tasks.filter(
      (t): t is RecentTask =>
        typeof t === 'object' && t !== null && typeof (t as RecentTask).taskId === 'string' && typeof (t as RecentTask).deploymentId === 'string',
    );
  } catch {
    return [];
  }
}

/** Adds task ids to the remembered ones, newest first. */
export async function rememberTasks(ctx: Context, deploymentId: string, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  try {
    const at = ctx.now();
    const fresh = taskIds.slice(-RECENT_TASKS_KEPT).reverse().map((taskId) => ({ deploymentId, taskId, at }));
    const kept = (await readRecentTasks(ctx)).filter((t) => !taskIds.includes(t.taskId));
    const tasks = [...fresh, ...kept].slice(0, RECENT_TASKS_KEPT);
    writeFileAtomic(join(configDir(ctx), RECENT_TASKS_FILE), JSON.stringify({ version: 1, tasks }) + '\n');
  } catch {
    // Completion only.
  }
}

/** Candidate lines `taskId<TAB>deployment <id>`, newest first; ids not safe to hand to a shell are left out. */
export async function completeTasks(ctx: Context): Promise<string[]> {
  return (await readRecentTasks(ctx))
    .filter((t) => /^[A-Za-z0-9_-]+$/.test(t.taskId) && /^\d+$/.test(t.deploymentId))
    .map((t) => `${t.taskId}\tdeployment ${t.deploymentId}`);
}
