/**
 * What the task verbs share: turning a deployment reference into a QUEUE deployment, the wait
 * deadline, re-wording "task does not exist", and remembering recent task ids for completion.
 */
import { join } from 'node:path';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Context } from '../../context.js';
import type { Session } from '../../session.js';
import { getDeployment } from '../../api/deployments.js';
import { ApiError, ExitCode, YottaError } from '../../errors.js';
import { explainNotFound, resolveDeploymentId } from '../deploy/common.js';
import { safeText } from '../../output/format.js';
import { configDir } from '../../config/paths.js';
import { writeFileAtomic } from '../../atomic-write.js';
import { readTextFile } from '../../config/read-text.js';

/** Default `--wait-timeout` of the task verbs. */
export const DEFAULT_TASK_WAIT_MS = 10 * 60_000;

/** The wait deadline: `--wait-timeout`, else the profile's wait timeout, else 10 minutes. */
export function taskWaitTimeout(flag: number | undefined, session: Session): number {
  return flag ?? session.settings.waitTimeoutMs ?? DEFAULT_TASK_WAIT_MS;
}

/** Resolves a deployment reference (id or name) to its id, with "not found" worded for people. */
export async function resolveDeployment(session: Session, ref: string): Promise<string> {
  try {
    return await resolveDeploymentId(session.client, ref);
  } catch (err) {
    throw explainNotFound(err, ref);
  }
}

/** Reads the deployment and refuses one that is not a QUEUE deployment (tasks are for QUEUE ones only). */
export async function queueDeployment(session: Session, ref: string): Promise<ElasticDeploymentDetail> {
  const id = await resolveDeployment(session, ref);
  let d: ElasticDeploymentDetail;
  try {
    d = await getDeployment(session.client, id);
  } catch (err) {
    throw explainNotFound(err, ref);
  }
  if (d.serviceMode !== 'QUEUE') {
    const mode = safeText(String(d.serviceMode));
    throw new YottaError(
      `deployment ${ref} is a ${mode} deployment; tasks are only for QUEUE deployments`,
      ExitCode.USAGE,
      mode === 'ALB' ? `Call its service instead: yotta deploy call ${ref} <path>` : undefined,
    );
  }
  return d;
}

/** Re-words 24011 as `task <id> not found on deployment <ref>` (exit 4); other errors pass unchanged. */
export function explainTaskNotFound(err: unknown, taskId: string, ref: string): unknown {
  if (err instanceof ApiError && err.code === 24011) {
    return new ApiError(`task ${taskId} not found on deployment ${ref}`, err.details, `List its tasks with: yotta task list ${ref}`);
  }
  return explainNotFound(err, ref);
}

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

/** Adds task ids to the remembered ones (best effort: a file that cannot be written costs only completion). */
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
