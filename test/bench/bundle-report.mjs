#!/usr/bin/env node
// What a build loads before any command runs, from esbuild's metafile: the chunks dist/cli.js
// imports statically (every command pays for them), and the inputs and packages they hold,
// largest first; then the lazily loaded chunks. Use it to find what put something on the startup
// path (`--why src/x.ts` prints the chain of static imports that brings it in).
//
//   node test/bench/bundle-report.mjs [--why FILE]
//
// It builds dist/ with `--metafile` first, so the report is of the current sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const why = process.argv.includes('--why') ? process.argv[process.argv.indexOf('--why') + 1] : undefined;
const work = mkdtempSync(join(tmpdir(), 'yotta-meta-'));
const metaPath = join(work, 'meta.json');
const b = spawnSync(process.execPath, ['esbuild.config.mjs', '--metafile', metaPath], { cwd: ROOT, stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
rmSync(work, { recursive: true, force: true });

const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} kB`;
const pkgOf = (input) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input;
const entry = Object.keys(meta.outputs).find((o) => o.endsWith('dist/cli.js'));

// Output chunks reachable from dist/cli.js through static imports.
const eager = new Set();
for (const stack = [entry]; stack.length; ) {
  const o = stack.pop();
  if (eager.has(o)) continue;
  eager.add(o);
  for (const i of meta.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) stack.push(i.path);
}

const byPackage = new Map();
let eagerBytes = 0;
for (const o of eager) {
  eagerBytes += meta.outputs[o].bytes;
  for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[o].inputs)) {
    byPackage.set(pkgOf(input), (byPackage.get(pkgOf(input)) ?? 0) + bytesInOutput);
  }
}
process.stdout.write(`Loaded before any command runs: ${eager.size} files, ${kb(eagerBytes).trim()}\n`);
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${kb(bytes)}  ${name}\n`);

process.stdout.write('\nLoaded lazily (import()), largest first:\n');
const lazy = Object.entries(meta.outputs)
  .filter(([o]) => o.endsWith('.js') && !eager.has(o))
  .sort((a, b) => b[1].bytes - a[1].bytes);
for (const [o, out] of lazy.slice(0, 25)) {
  const top = Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)[0];
  process.stdout.write(`  ${kb(out.bytes)}  ${o.replace(/.*dist\//, 'dist/')}  (mostly ${top ? pkgOf(top[0]) : '-'})\n`);
}

if (why) {
  // Breadth-first over static imports between inputs, from src/cli.ts: the shortest chain to `why`.
  const from = new Map([['src/cli.ts', undefined]]);
  for (const queue = ['src/cli.ts']; queue.length; ) {
    const f = queue.shift();
    for (const i of meta.inputs[f]?.imports ?? []) {
      if (i.kind !== 'import-statement' || i.external || from.has(i.path)) continue;
      from.set(i.path, f);
      queue.push(i.path);
    }
  }
  if (!from.has(why)) process.stdout.write(`\n${why} is not on the startup path (no chain of static imports from src/cli.ts).\n`);
  else {
    const chain = [];
    for (let f = why; f; f = from.get(f)) chain.unshift(f);
    process.stdout.write(`\nWhy ${why} loads at startup:\n  ${chain.join('\n  → ')}\n`);
  }
}
