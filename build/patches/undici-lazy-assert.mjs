// undici checks its invariants with node:assert, required by 34 of its files at load time; loading
// node:assert loads its diff and error-message machinery (seven modules). Here `assert` is a
// function that requires node:assert only when an assertion fails, and lets node:assert throw.
// undici only calls assert(value, message); the build fails if a file uses another member of it.
// Saves: see `node build/measure-patches.mjs` (figures in README "Build patches").
const FROM = "const assert = require('node:assert')\n";
const TO = "const assert = (value, message) => { if (!value) require('node:assert')(value, message) }\n";
let applied = 0;
export default {
  name: 'undici-lazy-assert',
  saves: 'node:assert and its seven modules on every command',
  files: /node_modules[\\/]undici[\\/]lib[\\/].*\.js$/,
  transform(text, path) {
    if (!text.includes(FROM)) return text;
    if (/\bassert\.\w/.test(text)) throw new Error(`build/patches/undici-lazy-assert.mjs: ${path} uses a member of node:assert; the dependency changed: update or remove the patch`);
    applied += 1;
    return text.replace(FROM, TO);
  },
  /** How many files it changed in the last build (the build fails when none: undici changed). */
  applied: () => applied,
};
