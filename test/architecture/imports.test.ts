/**
 * The import graph of src/, read from the source (static imports, re-exports and import() calls):
 * no circle, and no arrow from a lower layer up to main.ts or to the commands. This is what keeps
 * a newcomer's map of the code true as features land.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

// `import type` is left out: it is erased at build time and loads nothing, so it makes no circle at run time.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^'"`;]*?from\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g;

/** file (relative to src/) → the files it imports (relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      targets.push(relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const graph = importGraph();
const isCommand = (f: string) => f.startsWith('commands/');
const isRegistry = (f: string) => f === 'commands/index.ts' || f === 'commands/registry.ts' || /^commands\/[^/]+\/index\.ts$/.test(f);

describe('the import graph of src/', () => {
  it('reads every module and finds its imports', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('main.ts')).toContain('commands/index.ts');
    for (const targets of graph.values()) for (const t of targets) expect(graph.has(t), t).toBe(true);
  });

  it('has no import circle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const t of graph.get(file) ?? []) visit(t, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('only src/cli.ts imports main.ts', () => {
    const importers = [...graph].filter(([, targets]) => targets.includes('main.ts')).map(([f]) => f);
    expect(importers).toEqual(['cli.ts']);
  });

  it('no module outside src/commands imports a command, and only the registries import a command group or verb', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) {
        if (!isCommand(t) || t === file) continue;
        if (!isCommand(file) && file !== 'main.ts') wrong.push(`${file} → ${t}`);
        else if (file === 'main.ts' && !isRegistry(t)) wrong.push(`${file} → ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a verb never imports another verb (only a registry imports verbs)', () => {
    // A verb is what a registry loads; other modules under commands/ are helpers, not verbs.
    const verbFiles = new Set([...graph].filter(([f]) => isRegistry(f)).flatMap(([, targets]) => targets.filter((t) => !isRegistry(t))));
    expect(verbFiles.size).toBeGreaterThan(15);
    const wrong = [...graph]
      .filter(([file]) => verbFiles.has(file))
      .flatMap(([file, targets]) => targets.filter((t) => verbFiles.has(t) && t !== file).map((t) => `${file} → ${t}`));
    expect(wrong).toEqual([]);
  });

  // The layers, bottom first. A module may import its own layer and those below it, never above.
  const LAYERS: Array<[string, RegExp]> = [
    ['base', /^(globals|errors|context|text|records|redact|duration|atomic-write|gpus)\.ts$/],
    ['api, spec, config, output, sandbox', /^(api|spec|config|output|sandbox)\//],
    ['session', /^session\.ts$/],
    ['services', /^services\//],
    ['commands and completion', /^(commands|completion)\//],
    ['main', /^main\.ts$/],
    ['cli', /^cli\.ts$/],
  ];
  const layerOf = (f: string): number => LAYERS.findIndex(([, re]) => re.test(f));

  it('every module belongs to a layer', () => {
    expect([...graph.keys()].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no module imports from a layer above its own (api/spec/config/output/sandbox never load session, services, commands or main)', () => {
    const wrong = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => layerOf(t) > layerOf(file)).map((t) => `${file} (${LAYERS[layerOf(file)]![0]}) → ${t} (${LAYERS[layerOf(t)]![0]})`),
    );
    expect(wrong).toEqual([]);
  });
});
