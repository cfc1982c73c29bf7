// Builds src/ into dist/: one ESM bundle, code-split so that the lazy `import()`s of heavy modules
// (ora, conf, yaml, undici, zod...) stay lazy; commander is imported statically by main.ts.
// Not minified: measured slower to start, and stack traces under --debug stay readable.
//
// `node esbuild.config.mjs --metafile FILE` also writes esbuild's metafile (what every chunk
// holds); test/bench/bundle-report.mjs reads it to show what the startup path loads.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { activePatches, patchPlugins } from './build/patches/index.mjs';

const require = createRequire(import.meta.url);

// Every change to third-party code lives in build/patches/, one file per patch (see its index.mjs).
const patches = activePatches();
const undiciEntry = patches.find((p) => p.name === 'undici-entry');

/**
 * esbuild with splitting turns `await import('cjs-package')` into a chunk that only has a default
 * export, so `const { stringify } = await import('yaml')` gets undefined (Node itself gives the
 * named exports of a CommonJS module). This plugin serves such dynamic imports from a small ESM
 * facade that re-exports the names the package really has; undici gets build/patches/undici-entry.mjs.
 */
const cjsDynamicImports = {
  name: 'cjs-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[a-z@][^:]*$/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData?.facade) return undefined;
      if (args.path === 'undici' && undiciEntry) return { path: 'undici', namespace: 'cjs-facade', pluginData: { resolveDir: args.resolveDir } };
      const real = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: { facade: true } });
      if (real.errors.length > 0 || !isCommonJs(real.path)) return undefined;
      return { path: args.path, namespace: 'cjs-facade', pluginData: { resolveDir: args.resolveDir, file: real.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'cjs-facade' }, (args) => {
      const { resolveDir, file } = args.pluginData;
      if (file === undefined) return { contents: undiciEntry.entry, resolveDir, loader: 'js' };
      const names = Object.keys(require(file)).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      const spec = JSON.stringify(file);
      const contents = `import m from ${spec};\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`;
      return { contents, resolveDir: dirname(file), loader: 'js' };
    });
  },
};

/** Whether Node would load `file` as CommonJS (.cjs, or .js under a package.json without "type": "module"). */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      return require(`${dir}/package.json`).type !== 'module';
    } catch {
      if (dirname(dir) === dir) return true;
    }
  }
}

const metafileAt = process.argv.indexOf('--metafile');

rmSync(new URL('./dist/', import.meta.url), { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (undici, cli-table3) call require() for Node built-ins, and only
  // for those (everything else is bundled). process.getBuiltinModule serves them without importing
  // node:module and creating a CommonJS require (measured -0.5 MB RSS, one module fewer).
  banner: { js: 'const require = (id) => process.getBuiltinModule(id) ?? __yottaNoModule(id); function __yottaNoModule(id) { throw Object.assign(new Error(`Cannot find module \'${id}\'`), { code: "MODULE_NOT_FOUND" }); }' },
  plugins: [cjsDynamicImports, ...patchPlugins(patches)],
  // What Node's own bundle of undici defines: leaves out the experimental Milo HTTP/1 parser
  // (opt-in through UNDICI_USE_MILO; ~200 kB of inlined WebAssembly) and keeps llhttp.
  define: { esbuildDetection: 'true' },
  metafile: metafileAt > 0,
  logLevel: 'warning',
});
if (metafileAt > 0) writeFileSync(process.argv[metafileAt + 1], JSON.stringify(result.metafile));

// The root help, rendered by the CLI just built exactly as commander prints it, for bin/yotta.js to
// print without loading commander (see prerenderedHelp()): help.txt as to a pipe or an 80-column
// terminal; help-wide.txt as to a terminal so wide that commander wraps nothing (the same text for
// every width from its longest line up).
const env = { ...process.env };
for (const k of ['FORCE_COLOR', 'NO_COLOR', 'CLICOLOR_FORCE', 'COLUMNS']) delete env[k];
const renderHelp = (args) => {
  const rendered = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (rendered.status !== 0 || !rendered.stdout.startsWith('Usage: yotta')) {
    throw new Error(`rendering the root help failed (exit ${rendered.status}):\n${rendered.stderr}`);
  }
  return rendered.stdout;
};
const bin = fileURLToPath(new URL('./bin/yotta.js', import.meta.url));
writeFileSync(new URL('./dist/help.txt', import.meta.url), renderHelp([bin, '--help']));
const WIDE = 10_000;
const wide = `process.stdout.columns = ${WIDE}; process.argv.splice(2); process.argv.push('--help'); const { run } = await import(${JSON.stringify(new URL('./dist/cli.js', import.meta.url).href)}); await run('');`;
writeFileSync(new URL('./dist/help-wide.txt', import.meta.url), renderHelp(['--input-type=module', '-e', wide]));
