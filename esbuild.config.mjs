// Builds src/ into dist/: one ESM bundle per entry, code-split so that the lazy
// `import()`s of heavy modules (commander, ora, conf, yaml, undici...) stay lazy.
// Not minified: measured slower to start, and stack traces under --debug stay readable.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('./dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies (undici, cli-table3) call require() for Node built-ins.
  banner: { js: "import { createRequire as __yottaCreateRequire } from 'node:module'; const require = __yottaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
