/**
 * Small helpers for the config unit tests. They build a Context without importing main.ts, so the
 * config modules are tested on their own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Context, InStream, OutStream } from '../../src/context.js';

/** A fresh temporary folder. */
export function tmp(prefix = 'yotta-cfg-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A recording output stream. */
export class Sink implements OutStream {
  text = '';
  constructor(public isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A Context on a temp home; the config folder is `<home>/.config/yotta` via YOTTA_CONFIG_DIR. */
export function makeCtx(
  env: Record<string, string | undefined> = {},
  home = tmp('yotta-home-'),
): Context & { stdout: Sink; stderr: Sink } {
  const stdin = new PassThrough() as InStream;
  return {
    stdout: new Sink(),
    stderr: new Sink(),
    stdin,
    env: { YOTTA_CONFIG_DIR: join(home, '.config', 'yotta'), ...env },
    cwd: home,
    homeDir: home,
    version: '0.0.0-test',
    nodeVersion: process.versions.node,
    now: () => Date.now(),
    sleep: async () => undefined,
    random: () => 0.5,
    signal: new AbortController().signal,
  };
}

/** Writes our config.json for `ctx` (`text` as is, or an object as JSON). */
export function writeOurConfig(ctx: Context, content: string | object): string {
  const dir = ctx.env.YOTTA_CONFIG_DIR!;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  return file;
}

/** Writes the official CLI's ~/.yotta/config for `ctx`. */
export function writeOfficialConfig(ctx: Context, text: string): string {
  mkdirSync(join(ctx.homeDir, '.yotta'), { recursive: true });
  const file = join(ctx.homeDir, '.yotta', 'config');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}
