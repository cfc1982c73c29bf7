/**
 * Reading spec files: YAML (or JSON) text → one checked, normalised spec per document, with the
 * line:col of every node kept so that each problem is reported as `deploy.yaml:LINE:COL: message`.
 * Hostile input (alias bombs, deep nesting, huge files) ends in a SpecError, never a hang or crash:
 * a cheap lexer pass bounds nesting and aliases before the document is built, and the document is
 * turned into plain values by our own bounded walk rather than yaml's toJS.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CST, Lexer, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import type { Context, InStream } from '../context.js';
import { SpecError, UsageError } from '../errors.js';
import type { SpecProblem } from '../errors.js';
import { crossFieldProblems, missingForCreate, noticeText, problemText, specWarnings } from './checks.js';
import { describeValue } from './describe.js';
import { interpolate } from './interpolate.js';
import { formatAt, formatPath } from './paths.js';
import type { SpecPath } from './paths.js';
import { checkSpec } from './schema.js';
import type { DeploySpec, SchemaProblem } from './schema.js';

/** A 1-based line and column in a spec file. */
export interface SpecPosition {
  line: number;
  col: number;
}

/** One document of a spec file, checked and normalised (serviceMode upper-case, environmentVars a list). */
export interface ParsedSpecDoc {
  spec: Partial<DeploySpec>;
  /** The file name as the user typed it, or `<stdin>`. */
  file: string;
  /** 0-based number of this document among the file's non-empty documents. */
  index: number;
  /** Warnings, each formatted `file:line:col: message`. */
  warnings: string[];
  /**
   * Where the node at `path` is: its value, or its key when the value is empty; the nearest
   * existing mapping for a key that is missing. A numeric segment into an environmentVars mapping
   * counts its entries, so normalised paths (`environmentVars[2].value`) work too.
   */
  positionOf(path: SpecPath): SpecPosition;
}

/** Largest spec file read, in bytes: a real spec is a few hundred. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Deepest flow nesting (`[[[...`) accepted before parsing; yaml would otherwise spend seconds on it. */
const MAX_FLOW_DEPTH = 64;
/** Most aliases (`*name`) accepted in a file; a spec needs none. */
const MAX_ALIASES = 100;
/** Most `key:` pairs accepted in a file; yaml's duplicate-key check is quadratic, and a spec has a few dozen. */
const MAX_KEYS = 2000;
/** Most list entries (`- x` or `, x`) accepted in a file; yaml takes seconds over hundreds of thousands. */
const MAX_ENTRIES = 10_000;
/** Most documents accepted in a file, for `apply`. */
const MAX_DOCUMENTS = 100;
/** Deepest nesting of values accepted; a spec needs three levels. */
const MAX_DEPTH = 32;
/** Most values one document may expand to, aliases included. */
const MAX_VALUES = 10_000;

/** Offset → 1-based line and column, for problems found before yaml's LineCounter is filled. */
function positionAt(text: string, offset: number): SpecPosition {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

const CONTROL_TOKENS = new Set([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

/** Finds what would make yaml slow (deep flow nesting, many aliases, keys, entries or documents) with its lexer alone: linear, no recursion. */
function prescan(text: string): { offset: number; message: string } | undefined {
  let depth = 0;
  let aliases = 0;
  let keys = 0;
  let entries = 0;
  let documents = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      depth += 1;
      if (depth > MAX_FLOW_DEPTH) return { offset, message: `nested too deeply (more than ${MAX_FLOW_DEPTH} levels of [ ] or { })` };
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') {
      depth = Math.max(0, depth - 1);
    } else if (type === 'alias') {
      aliases += 1;
      if (aliases > MAX_ALIASES) return { offset, message: `too many aliases (more than ${MAX_ALIASES} uses of *name)` };
    } else if (type === 'map-value-ind') {
      keys += 1;
      if (keys > MAX_KEYS) return { offset, message: `too many keys (more than ${MAX_KEYS}); a deployment spec has a few dozen` };
    } else if (type === 'seq-item-ind' || type === 'comma') {
      entries += 1;
      if (entries > MAX_ENTRIES) return { offset, message: `too many list entries (more than ${MAX_ENTRIES})` };
    } else if (type === 'doc-start') {
      documents += 1;
      if (documents > MAX_DOCUMENTS) return { offset, message: `too many documents (more than ${MAX_DOCUMENTS} separated by ---)` };
    }
    // The lexer marks documents, flow ends and scalars with one control character that is not in the text.
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
  return undefined;
}

class TooManyValues extends Error {
  constructor(readonly offset: number) {
    super('too many values');
  }
}

/** A problem located by offset in the text, before it is given a line and column. */
interface LocatedProblem {
  offset: number;
  message: string;
}

/** Fields whose plain-number values are kept as written (`credentialId: 378888638324150969` must not lose digits). */
function keepsText(path: SpecPath): boolean {
  if (path.length === 1) return path[0] === 'credentialId' || path[0] === 'credential';
  if (path[0] !== 'environmentVars') return false;
  if (path.length === 2) return typeof path[1] === 'string';
  return path.length === 3 && (path[2] === 'value' || path[2] === 'key');
}

const CORE_INT = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * An unquoted value that came out of interpolation is read as YAML would have read it, so
 * `workers: ${WORKERS:-2}` is the number 2. Quoted values stay text.
 */
function resolvePlain(text: string): unknown {
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (CORE_INT.test(text)) {
    if (text.startsWith('0o')) return parseInt(text.slice(2), 8);
    if (text.startsWith('0x')) return parseInt(text.slice(2), 16);
    return Number(text);
  }
  if (CORE_FLOAT.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that a key named __proto__ is a key and not the object's prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Turns a document into plain values, filling `${VAR}` and enforcing the depth and size bounds. */
class Converter {
  problems: LocatedProblem[] = [];
  /** Paths (formatted) that already have a problem, so the schema does not report them twice. */
  badPaths = new Set<string>();
  private anchors = new Map<string, YamlNode>();
  private values = 0;
  private tooDeep = false;
  /** Offset of the alias being expanded, outermost first. */
  private aliasUse: number | undefined;

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  private problem(node: { range?: readonly number[] | null } | null | undefined, path: SpecPath, message: string): void {
    const at = formatPath(path);
    this.problems.push({ offset: node?.range?.[0] ?? 0, message: at ? `${at}: ${message}` : message });
    this.badPaths.add(at);
  }

  convert(node: unknown, path: SpecPath, depth: number): unknown {
    if (node === null || node === undefined) return null;
    if (++this.values > MAX_VALUES) throw new TooManyValues(this.aliasUse ?? (node as { range?: number[] }).range?.[0] ?? 0);
    if (depth > MAX_DEPTH) {
      if (!this.tooDeep) this.problem(node as YamlNode, path, `nested too deeply (more than ${MAX_DEPTH} levels)`);
      this.tooDeep = true;
      return undefined;
    }
    if (isAlias(node)) {
      const target = this.anchors.get(node.source);
      if (!target) {
        this.problem(node, path, `unknown alias "*${node.source}" (define &${node.source} before using it)`);
        return undefined;
      }
      // A blow-up is reported at the alias written in the document, not deep inside what it expands to.
      const outermost = this.aliasUse === undefined;
      if (outermost) this.aliasUse = node.range?.[0];
      try {
        return this.convert(target, path, depth + 1);
      } finally {
        if (outermost) this.aliasUse = undefined;
      }
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) this.anchors.set(anchor, node as YamlNode);
    if (isScalar(node)) return this.scalar(node, path);
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = this.key(pair.key, path);
        if (key === undefined) continue;
        setKey(obj, key, this.convert(pair.value, [...path, key], depth + 1));
      }
      return obj;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        if (isPair(item)) {
          // `[a: 1]` is a one-entry mapping inside a list.
          const obj: Record<string, unknown> = {};
          const key = this.key(item.key, [...path, i]);
          if (key !== undefined) setKey(obj, key, this.convert(item.value, [...path, i, key], depth + 2));
          return obj;
        }
        return this.convert(item, [...path, i], depth + 1);
      });
    }
    return undefined;
  }

  private key(node: unknown, path: SpecPath): string | undefined {
    if (node === null || node === undefined) return '';
    const target = isAlias(node) ? this.anchors.get(node.source) : node;
    if (isScalar(target)) {
      if (target.anchor) this.anchors.set(target.anchor, target);
      this.values += 1;
      return target.value === null || target.value === undefined ? '' : String(target.value);
    }
    this.problem(node as YamlNode, path, 'keys must be plain text, not a list or mapping');
    return undefined;
  }

  private scalar(node: Scalar, path: SpecPath): unknown {
    const value = node.value;
    const plain = node.type === 'PLAIN';
    if (typeof value === 'string') {
      const result = interpolate(value, this.env);
      if (!result.ok) {
        for (const p of result.problems) this.problem(node, path, p);
        return value;
      }
      if (!result.changed) return value;
      return plain && !keepsText(path) ? resolvePlain(result.value) : result.value;
    }
    if (plain && keepsText(path) && (typeof value === 'number' || typeof value === 'boolean')) {
      return typeof node.source === 'string' && node.source !== '' ? node.source : String(value);
    }
    return value;
  }
}

type ParsedDocument = Document.Parsed;

/** The node at `path`, following aliases, with the offset to report for it. */
function locate(doc: ParsedDocument, path: SpecPath, at: SchemaProblem['at']): number {
  const target = at === 'parent' ? path.slice(0, -1) : path;
  let node: unknown = doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0] ?? 0;
  for (let i = 0; i < target.length; i++) {
    const seg = target[i]!;
    const isLast = i === target.length - 1;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      let pair: unknown;
      if (typeof seg === 'number') {
        // A list index into a mapping: environmentVars written as NAME: value, addressed as a list.
        pair = node.items[seg];
        const next = target[i + 1];
        if (isPair(pair) && (next === 'key' || next === 'value')) {
          const part = next === 'key' ? pair.key : pair.value;
          const keyOffset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
          return nonEmptyOffset(part) ?? keyOffset;
        }
      } else {
        pair = node.items.find((p) => keyText(p.key) === seg);
      }
      if (!isPair(pair)) return offset;
      const keyOffset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
      if (isLast && at === 'key') return keyOffset;
      node = pair.value;
      offset = nonEmptyOffset(node) ?? keyOffset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return offset;
      node = item;
      offset = nonEmptyOffset(item) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function nonEmptyOffset(node: unknown): number | undefined {
  const range = (node as YamlNode | null)?.range;
  if (!range) return undefined;
  if (isScalar(node) && node.value === null && range[0] === range[1]) return undefined;
  return range[0];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return undefined;
}

function isEmptyDocument(doc: ParsedDocument): boolean {
  const c = doc.contents;
  if (doc.errors.length > 0) return false;
  return c === null || (isScalar(c) && c.value === null && c.range[0] === c.range[1]);
}

/** The key written at `offset`, quoted as in the file if it was quoted (yaml's error spans one character). */
function keyAt(text: string, offset: number): string {
  const m = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:,{}[\]\n]*?)\s*:/.exec(text.slice(offset, offset + 1100));
  const key = m?.[1]?.trim();
  if (!key) return 'here';
  return key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/**
 * Parses the text of a spec file: every YAML document, each checked against the file schema.
 * Throws a SpecError listing every problem of every document, sorted by position.
 */
export function parseSpecText(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  o: SpecReadOptions = {},
): ParsedSpecDoc[] {
  if (text.length > MAX_SPEC_BYTES) {
    throw new SpecError([{ file, line: 1, col: 1, message: `the file is too large (more than ${MAX_SPEC_BYTES} bytes); a spec is a few hundred` }]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const guard = prescan(text);
  if (guard) throw new SpecError([{ file, ...positionAt(text, guard.offset), message: guard.message }]);

  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: SpecProblem[] = [];
  const at = (offset: number, message: string) => problems.push({ file, ...lineCounter.linePos(offset), message });
  const parsed: ParsedSpecDoc[] = [];
  const nonEmpty = documents.filter((d) => !isEmptyDocument(d));
  if (nonEmpty.length === 0) {
    throw new SpecError([{ file, line: 1, col: 1, message: 'the file is empty; expected a mapping such as "name: my-app"' }]);
  }

  nonEmpty.forEach((doc, index) => {
    let broken = false;
    for (const err of doc.errors) {
      if (err.code === 'DUPLICATE_KEY') {
        at(err.pos[0], `duplicate key ${keyAt(text, err.pos[0])}`);
      } else if (err.code === 'RESOURCE_EXHAUSTION') {
        at(err.pos[0], 'nested too deeply');
        broken = true;
      } else {
        at(err.pos[0], `invalid YAML: ${firstLine(err.message)}`);
        broken = true;
      }
    }
    const warnings = doc.warnings.map((w) => formatAt(file, lineCounter.linePos(w.pos[0]), firstLine(w.message)));
    if (broken) return;

    const converter = new Converter(env);
    let value: unknown;
    try {
      value = converter.convert(doc.contents, [], 0);
    } catch (err) {
      if (!(err instanceof TooManyValues)) throw err;
      at(err.offset, `the document expands to more than ${MAX_VALUES} values (too many aliases?)`);
      return;
    }
    for (const p of converter.problems) at(p.offset, p.message);

    const contents = isAlias(doc.contents) ? doc.contents.resolve(doc) : doc.contents;
    if (!isMap(contents)) {
      at(doc.contents?.range?.[0] ?? 0, `the top level must be a mapping of keys such as "name: my-app", got ${describeValue(value)}`);
      return;
    }
    const report = (p: SchemaProblem) => {
      // Skip what the conversion already reported, at the same path or inside it.
      for (let n = 0; n <= p.path.length; n++) if (converter.badPaths.has(formatPath(p.path.slice(0, n)))) return;
      at(locate(doc, p.path, p.at), problemText(p));
    };
    const cross = crossFieldProblems(value, 'file');
    const checked = checkSpec(value, 'file');
    if (!checked.ok) checked.problems.forEach(report);
    cross.forEach(report);
    if (!checked.ok || cross.length > 0 || converter.problems.length > 0) {
      // The command stops here: name the keys it would also miss, so one run shows every problem.
      if (o.createFlags) for (const m of missingForCreate(value, o.createFlags)) at(contents.range?.[0] ?? 0, m);
      return;
    }

    const positionOf = (path: SpecPath) => lineCounter.linePos(locate(doc, path, 'value'));
    for (const n of specWarnings(checked.data)) warnings.push(formatAt(file, positionOf(n.path), noticeText(n)));
    parsed.push({ spec: checked.data, file, index, warnings, positionOf });
  });

  if (problems.length > 0) throw new SpecError(limitProblems(sortProblems(problems), file));
  return parsed;
}


/** What the command reading a spec will do with it. */
export interface SpecReadOptions {
  /** `deploy create`'s flags: with them, a file with problems also reports the required keys missing from both. */
  createFlags?: object;
}

/** Most problems listed for one file; past that, a count (a file with more is not a spec gone slightly wrong). */
const MAX_LISTED_PROBLEMS = 50;

function limitProblems(problems: SpecProblem[], file: string): SpecProblem[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  const more = problems.length - MAX_LISTED_PROBLEMS;
  return [...problems.slice(0, MAX_LISTED_PROBLEMS), { file, line: 0, col: 0, message: `${more} more problem${more === 1 ? '' : 's'} not shown` }];
}

/** Problems in file order, each once. */
export function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.col - b.p.col || a.i - b.i)
    .map(({ p }) => p)
    .filter((p) => {
      const key = `${p.file}\0${p.line}\0${p.col}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Decodes file bytes: UTF-8 (a BOM is dropped) or UTF-16 with a BOM; anything else is not a spec. */
function decode(bytes: Uint8Array, file: string): string {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`spec file ${file} is not UTF-8 text`);
  }
}

/**
 * Reads a file of any kind — a regular file, a pipe (`-f /dev/stdin`), a device (`/dev/zero`) —
 * counting bytes as they come and stopping past the limit: a size from stat is 0 for pipes and devices.
 */
async function readBounded(full: string, path: string): Promise<Uint8Array> {
  const handle = await open(full, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_SPEC_BYTES) throw new UsageError(`spec file ${path} is too large (more than ${MAX_SPEC_BYTES} bytes)`);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

async function readAll(stream: InStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > MAX_SPEC_BYTES) throw new UsageError(`the spec on standard input is too large (more than ${MAX_SPEC_BYTES} bytes)`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads and parses a spec file; `-` reads standard input (shown as `<stdin>`). A relative path is
 * taken from ctx.cwd; messages name the path as the user typed it.
 */
export async function readSpecFile(path: string, ctx: Context, o: SpecReadOptions = {}): Promise<ParsedSpecDoc[]> {
  if (path === '-') return parseSpecText(decode(await readAll(ctx.stdin), '<stdin>'), '<stdin>', ctx.env, o);
  const full = resolve(ctx.cwd, path);
  let bytes: Uint8Array;
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new UsageError(`spec file ${path} is a directory`, 'Pass the YAML file itself, e.g. -f deploy.yaml.');
    if (info.size > MAX_SPEC_BYTES) throw new UsageError(`spec file ${path} is too large (${info.size} bytes; at most ${MAX_SPEC_BYTES})`);
    bytes = await readBounded(full, path);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`spec file ${path} not found`, 'Check the path; `yotta deploy create --help` shows an example spec.');
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`cannot read spec file ${path}: permission denied`);
    throw new UsageError(`cannot read spec file ${path}: ${(err as Error).message}`);
  }
  return parseSpecText(decode(bytes, path), path, ctx.env, o);
}

/** The one document of a spec for create/update; several documents are for `yotta deploy apply`. */
export function singleDoc(docs: ParsedSpecDoc[], command = 'yotta deploy create'): ParsedSpecDoc {
  if (docs.length === 1) return docs[0]!;
  const file = docs[0]?.file ?? 'the spec';
  throw new UsageError(
    `${file} holds ${docs.length} documents (separated by ---); \`${command}\` takes one`,
    `Use \`yotta deploy apply -f ${file}\` for several deployments, or split the file.`,
  );
}
