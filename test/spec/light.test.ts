/**
 * Startup budget: command definitions import src/spec/flags.ts (and apply/get may import
 * deployment.ts) on every start, so neither may load zod or yaml, not even through another module.
 * Dynamic `await import()` is the allowed way to reach them.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const HEAVY = ['zod', 'yaml'];

/** Static value imports (not `import type`, not dynamic) of a module, as written. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Every package a module loads at import time, following our own modules. */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(SRC, entry));
  return packages;
}

describe('light spec modules', () => {
  test.each(['spec/flags.ts', 'spec/deployment.ts'])('%s loads neither zod nor yaml', (entry) => {
    const loaded = packagesLoadedBy(entry);
    for (const heavy of HEAVY) expect(loaded.has(heavy), `${entry} loads ${heavy}`).toBe(false);
  });

  test('the check itself sees the heavy modules where they are', () => {
    const loaded = packagesLoadedBy('spec/index.ts');
    for (const heavy of HEAVY) expect(loaded.has(heavy), `spec/index.ts loads ${heavy}`).toBe(true);
  });
});
