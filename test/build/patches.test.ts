/**
 * build/patches/: every change the build makes to a dependency's code fails the build loudly, naming
 * the patch, when the dependency no longer has what the patch expects; and each can be left out by
 * name (for measuring what it is worth), never by a name that is not a patch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM build scripts, without type declarations
import { PATCHES, activePatches, patchPlugins } from '../../build/patches/index.mjs';
// @ts-expect-error: plain ESM build scripts, without type declarations
import { textPatchesPlugin } from '../../build/patches/text-patch.mjs';
import { tempDir } from '../helpers/cli.js';

interface Patch {
  name: string;
  saves: string;
}

/** Bundles `entry` (which requires node_modules/dep/lib.js holding `depText`) with `plugins`. */
async function bundleWith(depText: string, plugins: unknown[]): Promise<string> {
  const dir = tempDir('yotta-patch-test-');
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'lib.js'), depText);
  writeFileSync(join(dir, 'entry.js'), "module.exports = require('./node_modules/dep/lib.js');\n");
  const r = await build({ entryPoints: [join(dir, 'entry.js')], bundle: true, write: false, platform: 'node', logLevel: 'silent', plugins: plugins as never });
  return r.outputFiles[0]!.text;
}

const patch = {
  name: 'dep-example',
  files: /node_modules[\\/]dep[\\/]lib\.js$/,
  replacements: [{ file: /node_modules[\\/]dep[\\/]lib\.js$/, from: "const heavy = require('node:http')\n", to: '' }],
};

describe('dependency patches', () => {
  it('each patch says what it saves, and its name is unique', () => {
    const names = (PATCHES as Patch[]).map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PATCHES as Patch[]) expect(p.saves, p.name).toMatch(/\w/);
  });

  it('a text patch changes the dependency where it still has the expected text', async () => {
    const out = await bundleWith("const heavy = require('node:http')\nmodule.exports = 1;\n", [textPatchesPlugin([patch])]);
    expect(out).not.toContain('node:http');
  });

  it('fails the build, naming the patch, when the dependency no longer has the text', async () => {
    await expect(bundleWith("const http = require('node:http')\nmodule.exports = 1;\n", [textPatchesPlugin([patch])])).rejects.toThrow(
      /build\/patches\/dep-example\.mjs: .* no longer has "const heavy = require\('node:http'\)/,
    );
  });

  it('fails the build when no file of the dependency matched at all', async () => {
    const elsewhere = { ...patch, replacements: [{ ...patch.replacements[0]!, file: /node_modules[\\/]dep[\\/]gone\.js$/ }] };
    await expect(bundleWith('module.exports = 1;\n', [textPatchesPlugin([elsewhere])])).rejects.toThrow(/dep-example\.mjs: no file matched/);
  });

  it('YOTTA_BUILD_WITHOUT leaves out the named patches and refuses a name that is no patch', () => {
    const all = activePatches({}) as Patch[];
    expect(all.map((p) => p.name)).toEqual((PATCHES as Patch[]).map((p) => p.name));
    const without = activePatches({ YOTTA_BUILD_WITHOUT: 'lazy-builtins, undici-lazy-http' }) as Patch[];
    expect(without.map((p) => p.name)).not.toContain('lazy-builtins');
    expect(without).toHaveLength(all.length - 2);
    expect(() => activePatches({ YOTTA_BUILD_WITHOUT: 'lazy-bultins' })).toThrow(/names no patch: lazy-bultins/);
    expect((patchPlugins(without) as unknown[]).length).toBeGreaterThan(0);
  });
});
