/**
 * Writing a small file so that a reader never sees half of it: a temporary file beside it, readable
 * by the user only, then a rename over the old one. (config.json goes through conf, which does the
 * same; this is for yotta's own state files: the sandbox's state and the completion cache.)
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/** Writes `text` to `path` atomically, mode 0600, creating its folder (0700) when missing. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
