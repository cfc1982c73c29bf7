#!/usr/bin/env node
// The executable: checks the Node.js version, answers --version (and the root --help, pre-rendered
// at build time) without loading anything else, turns on the compile cache, then runs the built CLI
// (dist/cli.js).
//
// Built-ins come from process.getBuiltinModule(), not `import`: an ESM import of node:fs makes Node
// read every property of the module, fs.promises included, which loads code nothing here uses
// (measured +3 MB RSS on every run).
const NEEDED = [22, 19, 0];
const found = process.versions.node.split('.').map(Number);
const older = found[0] !== NEEDED[0] ? found[0] < NEEDED[0] : found[1] !== NEEDED[1] ? found[1] < NEEDED[1] : found[2] < NEEDED[2];
if (older) {
  process.stderr.write(`yotta: needs Node.js ${NEEDED.join('.')} or newer; this is Node.js ${process.versions.node}\n`);
  process.exit(2);
}

const { readFileSync } = process.getBuiltinModule('node:fs');
const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const help = args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) ? prerenderedHelp() : undefined;
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  answer(`${pkg.version}\n`);
} else if (help !== undefined) {
  answer(help);
} else {
  // The cache lives in Node's default place (os.tmpdir()/node-compile-cache, or $NODE_COMPILE_CACHE);
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  process.getBuiltinModule('node:module').enableCompileCache?.();
  const { run } = await import('../dist/cli.js');
  await run(pkg.version);
}

/** Prints a fast-path answer; a reader that went away (`yotta --help | true`) ends it quietly, as in dist/cli.js. */
function answer(text) {
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  process.stdout.write(text);
}

/**
 * The root help as commander prints it, rendered by esbuild.config.mjs from the built CLI itself, so
 * it cannot drift from it: dist/help.txt as to a pipe or an 80-column terminal, dist/help-wide.txt
 * as to a terminal at least as wide as its longest line (commander wraps nothing there, so every
 * such width gets the same text). Other widths, anything in the environment that could change the
 * text, or a missing file: undefined, and commander prints it.
 */
function prerenderedHelp() {
  const env = process.env;
  if (env.FORCE_COLOR !== undefined || env.CLICOLOR_FORCE !== undefined || env.COLUMNS !== undefined) return undefined;
  const columns = process.stdout.isTTY ? process.stdout.columns : 80;
  try {
    if (columns === 80) return readFileSync(new URL('../dist/help.txt', import.meta.url), 'utf8');
    const wide = readFileSync(new URL('../dist/help-wide.txt', import.meta.url), 'utf8');
    return columns >= Math.max(...wide.split('\n').map((line) => line.length)) ? wide : undefined;
  } catch {
    return undefined;
  }
}
