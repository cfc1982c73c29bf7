/**
 * Bad spec files through the whole CLI: `yotta deploy create -f FILE --dry-run`, in-process,
 * with files written to disk as bytes (BOMs, UTF-16, CRLF, binary junk) and an emulator listening
 * with its key in the environment. Every input must end in a valid request body (exit 0) or a usage
 * error (exit 2) that points at `file:line:col`; never a crash, a hang, or a request sent.
 * Property-based (fast-check, fixed seeds) and table-driven.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { VALID_SPEC, expectNoCrash } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('spec-fuzz', 3, 'Bad spec files');
const RUNS = 250;
/** A run slower than this counts as a hang: hostile input must be refused early, not worked through. */
const RUN_BUDGET_MS = 3000;

let sb: Sandbox;
let dir: string;

beforeAll(async () => {
  sb = await startSandbox();
  dir = tempDir('yotta-rel-spec-');
});

afterAll(async () => {
  // Nothing any spec did may have reached the API.
  expect(sb.requests).toEqual([]);
  await sb.close();
  counts.save();
});

/** The file name as typed on the command line; problems must be reported against it. */
const FILE = 'fuzz.yaml';

/** Problems a file may have that have no line and column. */
const WITHOUT_POSITION = [/^Error: spec file fuzz\.yaml is not UTF-8 text$/m, /^Error: fuzz\.yaml holds \d+ documents \(separated by ---\)/m];

interface Outcome {
  valid: boolean;
}

/** Runs the dry run on `content` and checks the contract; returns whether the spec was valid. */
async function dryRun(content: string | Uint8Array, env: Record<string, string> = {}): Promise<Outcome> {
  writeFileSync(join(dir, FILE), content);
  const started = performance.now();
  const r = await runCli(['deploy', 'create', '-f', FILE, '--dry-run'], {
    cwd: dir,
    env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey, ...env },
  });
  const ms = performance.now() - started;
  const shown = typeof content === 'string' ? content.slice(0, 400) : Buffer.from(content.slice(0, 200)).toString('hex');
  const context = `input: ${JSON.stringify(shown)}`;
  expectNoCrash(r, context);
  expect(ms, context).toBeLessThan(RUN_BUDGET_MS);
  expect(sb.requests, context).toEqual([]);
  if (r.code === 0) {
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(typeof body.name, context).toBe('string');
    expect(r.stderr, context).toMatch(/Dry run: the request above is valid \(secret-looking values masked; --show-env shows them\); nothing was sent\.\n$/);
    return { valid: true };
  }
  expect(r.code, `${context}\n${r.stderr}`).toBe(2);
  expect(r.stdout, context).toBe('');
  const positioned = new RegExp(`^(Error: )?${FILE.replace('.', '\\.')}:\\d+:\\d+: \\S`, 'm');
  if (!positioned.test(r.stderr)) {
    expect(WITHOUT_POSITION.some((re) => re.test(r.stderr)), `${context}\nno file:line:col in:\n${r.stderr}`).toBe(true);
  }
  return { valid: false };
}

/** Runs a property with a fixed seed (printed by fast-check on failure) and counts valid and refused inputs. */
async function check<T>(what: string, arb: fc.Arbitrary<T>, toContent: (v: T) => string | Uint8Array, seed: number): Promise<void> {
  let valid = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      const o = await dryRun(toContent(v));
      if (o.valid) valid += 1;
      else refused += 1;
    }),
    { numRuns: RUNS, seed, endOnFailure: true },
  );
  counts.add('Property (fast-check)', `${what} (${valid} valid, ${refused} refused)`, valid + refused);
}

// ---------------------------------------------------------------- generators

const PIECES = [
  'name', 'image', 'workers', 'resources', 'gpuCount', 'region', 'gpuType', 'environmentVars', 'expose', 'port', 'serviceMode',
  'containerVolumeInGb', 'initializationCommand', ':', ': ', ' ', '  ', '\n', '\r\n', '\t', '- ', '[', ']', '{', '}', ',', '"', "'",
  '#', '---\n', '...\n', '? ', '|', '>', '&a ', '*a', '&b ', '*b', '<<: *a', '!!binary ', '!!str ', '!!js/function ', '%YAML 1.2\n',
  '${HOME}', '${UNSET}', '${X:-1}', '$${', '${', '$(touch /tmp/yotta-fuzz)', '`id`', '1', '2.5', '-1', '0x1F', '1e400', '.nan',
  '.inf', '-.inf', 'NaN', 'Infinity', '~', 'null', 'true', 'ALB', 'custom', 'HTTP', '\uFEFF', '\u0000', '\\', 'é', '\u202E',
  '99999999999999999999', '__proto__', 'constructor',
];

const yamlSoup = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((p) => p.join(''));

/** Values that break a field in every way a hand-written or generated file can. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, 0, -1, -0, 1.5, 2 ** 53 + 1, Number.MAX_VALUE, 1e308, '', ' ', 'NaN', 'Infinity', '-Infinity', '.nan', '.inf',
    '1e400', '0x10', '0o17', '99999999999999999999', '${UNSET_VAR}', '${HOME}', '$(touch /tmp/yotta-fuzz)', '`touch /tmp/yotta-fuzz`',
    '\u0000', '\uFFFD', '\u202Eevil', {}, [], [[]], { port: 'eighty' }, [{ key: 1, value: null }],
  ),
  fc.double(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 51, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 120 }).map((depth) => {
    let v: unknown = 'deep';
    for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
    return v;
  }),
  fc.anything({ maxDepth: 3, maxKeys: 4 }),
);

const VALID_VALUES = {
  name: 'rel-llama',
  image: 'vllm/vllm-openai:latest',
  resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
  containerVolumeInGb: 100,
  workers: 1,
  serviceMode: 'ALB',
  initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
  environmentVars: [{ key: 'HF_HOME', value: '/data' }],
  expose: { port: 8000, protocol: 'HTTP' },
};

const PATHS: (string | number)[][] = [
  ['name'], ['image'], ['imageRegistry'], ['workers'], ['containerVolumeInGb'], ['resources'], ['resources', 0], ['resources', 0, 'gpuCount'],
  ['resources', 0, 'region'], ['resources', 1], ['serviceMode'], ['initializationCommand'], ['environmentVars'], ['environmentVars', 0, 'value'],
  ['expose'], ['expose', 'port'], ['minSingleCardVramInGb'], ['minSingleCardVcpu'], ['credentialId'], ['unknownField'], ['__proto__'],
];

function setPath(root: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let node: Record<string | number, unknown> = copy;
  for (const seg of path.slice(0, -1)) {
    const next = node[seg];
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Record<string | number, unknown>;
  }
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

type Encoding = 'yaml' | 'json' | 'yaml-crlf' | 'yaml-bom' | 'json-bom' | 'yaml-utf16le' | 'yaml-utf16be';

function encode(value: unknown, how: Encoding): string | Uint8Array {
  let text: string;
  try {
    // Both give undefined for some values (undefined, a function); the file is then empty.
    text = (how.startsWith('json') ? JSON.stringify(value, null, 2) : (toYaml(value, { aliasDuplicateObjects: false }) as string | undefined)) ?? '';
  } catch {
    text = String(value);
  }
  switch (how) {
    case 'yaml-crlf':
      return text.replace(/\n/g, '\r\n');
    case 'yaml-bom':
    case 'json-bom':
      return `\uFEFF${text}`;
    case 'yaml-utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'yaml-utf16be': {
      const le = Buffer.from(text, 'utf16le');
      for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    }
    default:
      return text;
  }
}

const encoding = fc.constantFrom<Encoding>('yaml', 'json', 'yaml-crlf', 'yaml-bom', 'json-bom', 'yaml-utf16le', 'yaml-utf16be');

/** A valid spec with one to three fields replaced by hostile values, in any encoding. */
const mutatedSpec = fc.tuple(fc.array(fc.tuple(fc.constantFrom(...PATHS), hostileValue), { minLength: 1, maxLength: 3 }), encoding);

/** Text-level edits of the valid spec: a cut, an insertion, a duplicated line, an anchor/alias pair. */
const textEdit = fc.oneof(
  fc.tuple(fc.nat({ max: VALID_SPEC.length }), fc.nat({ max: 30 }), fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }))).map(
    ([at, cut, insert]) => VALID_SPEC.slice(0, at) + insert + VALID_SPEC.slice(Math.min(VALID_SPEC.length, at + cut)),
  ),
  fc.nat({ max: 20 }).map((i) => {
    const lines = VALID_SPEC.split('\n');
    const k = i % (lines.length - 1);
    return [...lines.slice(0, k + 1), lines[k], ...lines.slice(k + 1)].join('\n');
  }),
  fc.constantFrom('image', 'initializationCommand', 'name').map((field) =>
    VALID_SPEC.replace(/^image: (.*)$/m, 'image: &img $1').replace(new RegExp(`^${field}: (?!&).*$`, 'm'), `${field}: *img`),
  ),
);

/** Billion-laughs files of random depth and width, under a random field. */
const aliasBomb = fc
  .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('name', 'initializationCommand', 'environmentVars', 'x'))
  .map(([depth, width, field]) => {
    const lines = ['a0: &a0 "lol"'];
    for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
    return `${VALID_SPEC}${lines.join('\n')}\n${field === 'x' ? 'bomb' : field}: *a${depth}\n`.replace(new RegExp(`^${field}: .*\n`, 'm'), '');
  });

// ---------------------------------------------------------------- properties

describe('deploy create --dry-run on fuzzed spec files: exit 0 or 2 with file:line:col, never a crash, hang or request', () => {
  it('random bytes', async () => {
    await check('random bytes (binary junk)', fc.uint8Array({ maxLength: 400 }), (b) => b, 0x5eed0001);
  });

  it('random YAML-looking text', async () => {
    await check('random YAML-looking text (anchors, tags, BOM, NUL, CRLF, `$(...)`)', yamlSoup, (t) => t, 0x5eed0002);
  });

  it('random JSON documents', async () => {
    await check('random JSON documents', fc.json({ maxDepth: 5 }), (t) => t, 0x5eed0003);
  });

  it('random YAML documents', async () => {
    await check('random YAML documents (any value, any shape)', fc.anything({ maxDepth: 4 }), (v) => encode(v, 'yaml'), 0x5eed0004);
  });

  it('a valid spec with fields replaced by hostile values, in every encoding', async () => {
    await check(
      'valid spec, 1–3 fields → wrong types, huge numbers, NaN/Infinity strings, deep nesting, long strings, junk; YAML/JSON/CRLF/BOM/UTF-16',
      mutatedSpec,
      ([changes, how]) => encode(changes.reduce((spec, [path, value]) => setPath(spec, path, value), VALID_VALUES as Record<string, unknown>), how),
      0x5eed0005,
    );
  });

  it('text edits of a valid spec', async () => {
    await check('valid spec text with a cut/insertion, a duplicated line (duplicate key), anchors and aliases', textEdit, (t) => t, 0x5eed0006);
  });

  it('alias bombs', async () => {
    await check('alias bombs (depth 2–12 × width 2–12)', aliasBomb, (t) => t, 0x5eed0007);
  });
});

// ---------------------------------------------------------------- table

const deepFlow = (n: number): string => `${VALID_SPEC}extra: ${'['.repeat(n)}${']'.repeat(n)}\n`;
const deepBlock = (n: number): string => `${VALID_SPEC}extra:\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k:`).join('\n')} x\n`;

const TABLE: { what: string; content: string | Uint8Array; valid: boolean; says?: RegExp }[] = [
  { what: 'the valid spec', content: VALID_SPEC, valid: true },
  { what: 'UTF-8 BOM', content: `\uFEFF${VALID_SPEC}`, valid: true },
  { what: 'CRLF line ends', content: VALID_SPEC.replace(/\n/g, '\r\n'), valid: true },
  { what: 'UTF-16LE with BOM', content: encode(VALID_VALUES, 'yaml-utf16le'), valid: true },
  { what: 'UTF-16BE with BOM', content: encode(VALID_VALUES, 'yaml-utf16be'), valid: true },
  { what: 'JSON', content: JSON.stringify(VALID_VALUES), valid: true },
  { what: 'anchor and alias', content: VALID_SPEC.replace('image: vllm', 'image: &i vllm') + 'imageRegistry: *i\n', valid: true },
  { what: 'empty file', content: '', valid: false, says: /fuzz\.yaml:1:1: the file is empty/ },
  { what: 'only comments', content: '# nothing\n# here\n', valid: false, says: /fuzz\.yaml:1:1: the file is empty/ },
  { what: 'a scalar', content: 'hello\n', valid: false, says: /fuzz\.yaml:1:1: the top level must be a mapping/ },
  { what: 'a list', content: '- a\n- b\n', valid: false, says: /fuzz\.yaml:1:1: the top level must be a mapping/ },
  { what: 'duplicate key', content: VALID_SPEC + 'workers: 2\n', valid: false, says: /fuzz\.yaml:11:1: duplicate key "workers"/ },
  { what: 'workers: .nan', content: VALID_SPEC.replace('workers: 1', 'workers: .nan'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'workers: .inf', content: VALID_SPEC.replace('workers: 1', 'workers: .inf'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'workers: "NaN"', content: VALID_SPEC.replace('workers: 1', 'workers: "NaN"'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'workers: Infinity', content: VALID_SPEC.replace('workers: 1', 'workers: Infinity'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'workers: 1e400', content: VALID_SPEC.replace('workers: 1', 'workers: 1e400'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'workers: 99999999999999999999', content: VALID_SPEC.replace('workers: 1', 'workers: 99999999999999999999'), valid: false, says: /fuzz\.yaml:8:10: / },
  { what: 'gpuCount: -0', content: VALID_SPEC.replace('gpuCount: 1', 'gpuCount: -0'), valid: false, says: /fuzz\.yaml:6:15: / },
  // No upper bound is documented for the volume: the API decides.
  { what: 'containerVolumeInGb: 1e308', content: VALID_SPEC.replace('containerVolumeInGb: 100', 'containerVolumeInGb: 1e308'), valid: true },
  { what: 'containerVolumeInGb: 1e400', content: VALID_SPEC.replace('containerVolumeInGb: 100', 'containerVolumeInGb: 1e400'), valid: false, says: /fuzz\.yaml:7:22: / },
  { what: 'a 300 kB name', content: VALID_SPEC.replace('name: rel-llama', `name: ${'x'.repeat(300_000)}`), valid: false, says: /fuzz\.yaml:1:7: / },
  { what: 'NUL in a value', content: VALID_SPEC.replace('rel-llama', 'rel\u0000llama'), valid: false, says: /fuzz\.yaml:1:/ },
  { what: '10 000 levels of [', content: deepFlow(10_000), valid: false, says: /fuzz\.yaml:11:\d+: nested too deeply/ },
  { what: '200 levels of block nesting', content: deepBlock(200), valid: false, says: /fuzz\.yaml:\d+:\d+: / },
  { what: 'billion laughs (9 × 9)', content: aliasBombText(9, 9), valid: false, says: /fuzz\.yaml:\d+:\d+: / },
  { what: 'unknown alias', content: VALID_SPEC + 'x: *nope\n', valid: false, says: /fuzz\.yaml:11:4: / },
  { what: '!!binary tag', content: VALID_SPEC.replace('image: vllm/vllm-openai:latest', 'image: !!binary aGVsbG8='), valid: false, says: /fuzz\.yaml:2:/ },
  { what: '!!js/function tag', content: VALID_SPEC + 'x: !!js/function "function(){}"\n', valid: false, says: /fuzz\.yaml:11:/ },
  { what: '__proto__ key', content: VALID_SPEC + '__proto__: {polluted: true}\n', valid: false, says: /fuzz\.yaml:11:1: / },
  { what: 'merge key <<', content: 'base: &b {workers: 1}\n' + VALID_SPEC.replace('workers: 1\n', '') + '<<: *b\n', valid: false, says: /fuzz\.yaml:\d+:\d+: / },
  { what: 'a tab for indentation', content: VALID_SPEC.replace('  - region', '\t- region'), valid: false, says: /fuzz\.yaml:4:1: / },
  { what: 'unterminated quote', content: VALID_SPEC.replace('name: rel-llama', 'name: "rel-llama'), valid: false, says: /fuzz\.yaml:\d+:\d+: / },
  { what: 'PNG header', content: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), valid: false },
  { what: 'invalid UTF-8', content: Uint8Array.from([...Buffer.from('name: '), 0xc3, 0x28, 0x0a]), valid: false, says: /not UTF-8 text/ },
  { what: 'two documents', content: `${VALID_SPEC}---\n${VALID_SPEC}`, valid: false, says: /holds 2 documents/ },
  { what: '102 documents', content: Array(102).fill('a: 1\n').join('---\n'), valid: false, says: /fuzz\.yaml:\d+:1: too many documents/ },
  { what: '2 001 keys', content: Array.from({ length: 2001 }, (_, i) => `k${i}: 1`).join('\n'), valid: false, says: /too many keys/ },
  { what: '10 001 list entries', content: `${VALID_SPEC}x: [${Array(10_001).fill('1').join(',')}]\n`, valid: false, says: /too many list entries/ },
];

function aliasBombText(depth: number, width: number): string {
  const lines = ['a0: &a0 "lol"'];
  for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
  return `${VALID_SPEC}${lines.join('\n')}\nbomb: *a${depth}\n`;
}

describe('deploy create --dry-run on hand-made hostile files', () => {
  it.each(TABLE)('$what', async ({ content, valid, says }) => {
    writeFileSync(join(dir, FILE), content);
    const o = await dryRun(content);
    counts.add('Table', 'hand-made files: BOM, CRLF, UTF-16, NaN/Infinity/huge numbers, deep nesting, alias bombs, tags, 1 MB limits');
    expect(o.valid).toBe(valid);
    if (says) {
      const r = await runCli(['deploy', 'create', '-f', FILE, '--dry-run'], { cwd: dir, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey } });
      expect(r.stderr).toMatch(says);
    }
  });

  it('a file over 1 MB, a folder, a missing file: exit 2, named', async () => {
    mkdirSync(join(dir, 'folder.yaml'), { recursive: true });
    writeFileSync(join(dir, 'big.yaml'), `${VALID_SPEC}# ${'x'.repeat(1024 * 1024)}\n`);
    for (const [file, says] of [
      ['big.yaml', /spec file big\.yaml is too large/],
      ['folder.yaml', /spec file folder\.yaml is a directory/],
      ['missing.yaml', /spec file missing\.yaml not found/],
    ] as const) {
      const r = await runCli(['deploy', 'create', '-f', file, '--dry-run'], { cwd: dir, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey } });
      counts.add('Table', 'unreadable files: over 1 MB, a folder, missing');
      expectNoCrash(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(says);
    }
  });

  it('the same hostile text on stdin (-f -) is reported against <stdin>', async () => {
    for (const text of [deepFlow(10_000), aliasBombText(9, 9), VALID_SPEC + 'workers: 2\n']) {
      const r = await runCli(['deploy', 'create', '-f', '-', '--dry-run'], { stdin: text, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey } });
      counts.add('Table', 'hostile text on stdin (-f -)');
      expectNoCrash(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^(Error: )?<stdin>:\d+:\d+: /m);
    }
  });
});
