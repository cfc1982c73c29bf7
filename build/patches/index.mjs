// Every change the build makes to third-party code, one file per patch beside this one, each saying
// what it saves. `YOTTA_BUILD_WITHOUT=name,name` leaves patches out (build/measure-patches.mjs uses
// it to measure what each one is worth); a name that is not a patch fails the build.
import { textPatchesPlugin } from './text-patch.mjs';
import undiciEntry from './undici-entry.mjs';
import undiciLazyHttp2 from './undici-lazy-http2.mjs';
import undiciLazyHttp from './undici-lazy-http.mjs';
import undiciLazyAssert from './undici-lazy-assert.mjs';
import lazyBuiltins from './lazy-builtins.mjs';
import cliTable3WidthCache from './cli-table3-width-cache.mjs';

/** Every patch, in the order the build applies them. */
export const PATCHES = [undiciEntry, undiciLazyHttp2, undiciLazyHttp, undiciLazyAssert, lazyBuiltins, cliTable3WidthCache];

/** The patches this build applies: all but those named in YOTTA_BUILD_WITHOUT. */
export function activePatches(env = process.env) {
  const without = (env.YOTTA_BUILD_WITHOUT ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = without.filter((n) => !PATCHES.some((p) => p.name === n));
  if (unknown.length > 0) throw new Error(`YOTTA_BUILD_WITHOUT names no patch: ${unknown.join(', ')} (patches: ${PATCHES.map((p) => p.name).join(', ')})`);
  return PATCHES.filter((p) => !without.includes(p.name));
}

/** The esbuild plugins of `patches`: the text patches share one plugin; the others bring their own. */
export function patchPlugins(patches) {
  const text = patches.filter((p) => p.replacements || p.transform);
  const plugins = patches.filter((p) => p.plugin).map((p) => p.plugin);
  const assert = patches.find((p) => p.name === 'undici-lazy-assert');
  if (assert) {
    plugins.push({
      name: 'undici-lazy-assert-check',
      setup(b) {
        b.onEnd((result) => {
          if (result.errors.length === 0 && assert.applied() === 0) throw new Error('build/patches/undici-lazy-assert.mjs: no undici file requires node:assert any more; the dependency changed: update or remove the patch');
        });
      },
    });
  }
  return text.length > 0 ? [textPatchesPlugin(text), ...plugins] : plugins;
}
