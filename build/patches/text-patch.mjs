// The one mechanism for patches that replace text in a dependency's source at build time. Each
// patch lists its replacements; the build fails, naming the patch, if a file no longer holds the
// text a replacement expects (or no file matched at all), so a dependency upgrade can never
// silently undo or break a patch. All text patches share one plugin: esbuild runs only the first
// onLoad that answers for a file, so two patches of one file must be applied together.
import { readFile } from 'node:fs/promises';

/**
 * An esbuild plugin applying every patch's `replacements` (each `{ file: RegExp, from, to }`) and
 * `transform(text, path)` (a whole-file change, for files matching `transformFiles`).
 */
export function textPatchesPlugin(patches) {
  const filter = new RegExp(patches.map((p) => p.files.source).join('|'));
  return {
    name: 'dependency-text-patches',
    setup(b) {
      const found = new Set();
      b.onLoad({ filter }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        for (const patch of patches) {
          if (!patch.files.test(args.path)) continue;
          for (const r of patch.replacements ?? []) {
            if (!r.file.test(args.path)) continue;
            if (!text.includes(r.from)) {
              throw new Error(`build/patches/${patch.name}.mjs: ${args.path} no longer has "${r.from.slice(0, 80)}"; the dependency changed: update or remove the patch`);
            }
            text = text.replace(r.from, r.to);
            found.add(r);
          }
          if (patch.transform) text = patch.transform(text, args.path);
        }
        return { contents: text, loader: 'js' };
      });
      b.onEnd((result) => {
        for (const patch of patches) {
          const missed = (patch.replacements ?? []).filter((r) => !found.has(r));
          if (result.errors.length === 0 && missed.length > 0) {
            throw new Error(`build/patches/${patch.name}.mjs: no file matched ${missed.map((r) => r.file).join(', ')}; the dependency changed: update or remove the patch`);
          }
        }
      });
    },
  };
}
