/**
 * What `task submit` and `deploy call` read from the command line besides flags: a body given as
 * `-d TEXT`, `-d @file` or `-d @-` (standard input), headers given as `-H 'Name: value'` or
 * `-H @file` (one header a line), and a secret read from standard input. Every problem is a usage
 * error naming the flag, found before anything is sent.
 */
import { readFile } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

/** Where a `-d` value came from. */
export type DataSource = { kind: 'literal' } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** A `-d` value, read. */
export interface DataInput {
  bytes: Buffer;
  source: DataSource;
}

/** Whether a `-d` or `-H` value reads standard input. */
export function readsStdin(value: string | undefined): boolean {
  return value === '@-';
}

/** Reads everything on standard input. */
export async function readStdin(ctx: Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function readFileBytes(ctx: Context, path: string, flag: string): Promise<Buffer> {
  return new Promise((done, fail) => {
    readFile(resolve(ctx.cwd, path), (err, bytes) => {
      if (!err) return done(bytes);
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
      fail(new UsageError(`${flag} @${path}: cannot read the file (${why})`));
    });
  });
}

/** Reads a `-d` value: `@-` standard input, `@file` a file (relative to the working directory), else the text itself. */
export async function readData(ctx: Context, value: string, flag = '-d'): Promise<DataInput> {
  if (value === '@-') return { bytes: await readStdin(ctx), source: { kind: 'stdin' } };
  if (value.startsWith('@')) {
    const path = value.slice(1);
    if (path === '') throw new UsageError(`${flag} @: a file name must follow @ (or @- for standard input)`);
    return { bytes: await readFileBytes(ctx, path, flag), source: { kind: 'file', path } };
  }
  return { bytes: Buffer.from(value, 'utf8'), source: { kind: 'literal' } };
}

/** Where the data came from, for messages: `-d`, `-d @in.json`, `standard input`. */
export function describeSource(source: DataSource, flag = '-d'): string {
  return source.kind === 'file' ? `${flag} @${source.path}` : source.kind === 'stdin' ? `${flag} @- (standard input)` : flag;
}

/** UTF-8 text of the data, or a usage error naming where it came from. */
export function dataText(input: DataInput, flag = '-d'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input.bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new UsageError(`${describeSource(input.source, flag)}: not UTF-8 text`);
  }
}

/** Parses JSON text, or a usage error naming where it came from and what is wrong. */
export function parseJson(text: string, where: string): unknown {
  if (text.trim() === '') throw new UsageError(`${where}: no JSON given (it is empty)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${(err as Error).message})`, `For example: -d '{"prompt": "Hello"}'`);
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses one `Name: value` header; `where` names it in errors. */
export function parseHeader(line: string, where: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UsageError(`${where}: "${line}" is not a header; write it as 'Name: value'`);
  const name = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name)) throw new UsageError(`${where}: "${name}" is not a valid header name`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new UsageError(`${where}: the value of header ${name} contains control characters`);
  return [name, value];
}

/** A header as given: where it came from matters (a secret typed on the command line stays in shell history). */
export interface GivenHeader {
  name: string;
  value: string;
  fromFile: boolean;
}

/**
 * Reads the `-H` values: each `Name: value`, or `@file` with one header a line (blank lines and
 * lines starting with # are skipped), or `@-` for such lines on standard input.
 */
export async function readHeaders(ctx: Context, values: readonly string[] | undefined): Promise<GivenHeader[]> {
  const out: GivenHeader[] = [];
  for (const v of values ?? []) {
    if (!v.startsWith('@')) {
      const [name, value] = parseHeader(v, '-H');
      out.push({ name, value, fromFile: false });
      continue;
    }
    const input = await readData(ctx, v, '-H');
    const text = dataText(input, '-H');
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      const [name, value] = parseHeader(line, `${describeSource(input.source, '-H')} line ${i + 1}`);
      out.push({ name, value, fromFile: true });
    });
  }
  return out;
}

/** Reads a secret from standard input: its first line, trimmed; empty is a usage error naming `flag`. */
export async function readSecretFromStdin(ctx: Context, flag: string): Promise<string> {
  const text = (await readStdin(ctx)).toString('utf8');
  const first = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (first === '') throw new UsageError(`${flag}: standard input is empty; pipe the secret in, e.g. printf %s "$KEY" | yotta ... ${flag}`);
  return first;
}
