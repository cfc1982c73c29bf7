/**
 * The least a successful answer's `data` must be for the commands to work with it: a deployment is
 * an object with an id, a list is an array of objects. Anything else is the server's fault and ends
 * in a clear ApiError (exit 1) here, instead of a TypeError deep inside a command. Fields beyond the
 * id are not checked: renderers show whatever came, and unknown fields pass through.
 */
import { ApiError } from '../errors.js';
import { isRecord } from '../records.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function unexpected(method: string, path: string, what: string): ApiError {
  // A write that reported success was applied: saying so keeps anyone from sending it again blindly.
  if (method !== 'GET') {
    return new ApiError(
      `${method} ${path}: the API reported success, so it was applied, but ${what}`,
      { httpStatus: 200, code: 10000, method, path },
      'Check the result with `yotta deploy list` or `yotta deploy get <id>` before trying again.',
    );
  }
  return new ApiError(
    `${method} ${path}: the API reported success, but ${what}`,
    { httpStatus: 200, code: 10000, method, path },
    'This is a problem on the server side; try again later, and report it (with --debug output) if it persists.',
  );
}

/** An id as the string it must be: a bare JSON number becomes its digits (json.ts keeps big ones exact). */
function idText(id: unknown): string | undefined {
  if (typeof id === 'string' && id.trim() !== '') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  return undefined;
}

/** Checks one deployment (`where` names it in the message) and returns it with its id as a string. */
export function deploymentOf<T>(data: unknown, method: string, path: string, where = 'its data'): T {
  if (!isRecord(data)) throw unexpected(method, path, `${where} is ${describe(data)}, not a deployment`);
  const id = idText(data.id);
  if (id === undefined) throw unexpected(method, path, `${where} has no usable deployment id (got ${describe(data.id)})`);
  return (id === data.id ? data : { ...data, id }) as T;
}

/** Checks a list of deployments; `null` is read as an empty list (how some servers send one). */
export function deploymentListOf<T>(data: unknown, method: string, path: string): T[] {
  if (data === null) return [];
  if (!Array.isArray(data)) throw unexpected(method, path, `its data is ${describe(data)}, not a list of deployments`);
  return data.map((item, i) => deploymentOf<T>(item, method, path, `item ${i + 1} of its list`));
}

/** Checks a list of workers: objects, with a numeric id turned into a string; `null` is an empty list. */
export function workerListOf<T>(data: unknown, method: string, path: string): T[] {
  if (data === null) return [];
  if (!Array.isArray(data)) throw unexpected(method, path, `its data is ${describe(data)}, not a list of workers`);
  return data.map((item, i) => {
    if (!isRecord(item)) throw unexpected(method, path, `item ${i + 1} of its list is ${describe(item)}, not a worker`);
    const id = idText(item.id);
    return (id !== undefined && id !== item.id ? { ...item, id } : item) as T;
  });
}
