/**
 * What the task verbs share: turning a deployment reference into a QUEUE deployment, the wait
 * deadline, and re-wording "task does not exist".
 */
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import { getDeployment } from '../../api/deployments.js';
import { ApiError, ExitCode, YottaError } from '../../errors.js';
import { explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import { safeText } from '../../output/format.js';

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
