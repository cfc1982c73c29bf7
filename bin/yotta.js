#!/usr/bin/env node
// The executable: checks the Node.js version, turns on the compile cache, answers --version
// without loading anything else, then runs the built CLI (dist/cli.js).
import { readFileSync } from 'node:fs';

const NEEDED = [22, 19, 0];
const found = process.versions.node.split('.').map(Number);
const older = found[0] !== NEEDED[0] ? found[0] < NEEDED[0] : found[1] !== NEEDED[1] ? found[1] < NEEDED[1] : found[2] < NEEDED[2];
if (older) {
  process.stderr.write(`yotta: needs Node.js ${NEEDED.join('.')} or newer; this is Node.js ${process.versions.node}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const { run } = await import('../dist/cli.js');
  await run(pkg.version);
}
