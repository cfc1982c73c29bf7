// cli-table3 measures a cell's text many times over as it pads, truncates and lays out (each
// measure runs strip-ansi, which builds a new RegExp from a string every time, and emoji-regex).
// Here cli-table3's own string-width (4) is wrapped in a cache, so each distinct text is measured
// once: the same function, the same widths (a build test compares the tables byte for byte with
// cli-table3 unbundled). The cache is emptied when it reaches CACHED_WIDTHS entries. A text of
// printable ASCII and U+00A0-U+02FF only is its length wide (string-width 4 gives each of those code
// points 1, checked one by one, and no emoji sequence is made of them alone) and is not handed to
// string-width: its emoji-regex, one of the largest regular expressions there is, is then never
// compiled for a table of plain names. The build fails if cli-table3 stops requiring string-width
// from src/utils.js.
// Saves (measured when it was added): `deploy list` of 10,000 deployments, 2.2 s → 1.7 s; the
// plain-text answer, the emoji-regex compile of every table (callgrind, with src/output/tables.ts
// measuring through it: `deploy list` of 20, 670M → 372M instructions with that change).
import { dirname } from 'node:path';

const CACHED_WIDTHS = 4096;
let seen = false;
export default {
  name: 'cli-table3-width-cache',
  saves: 'a quarter of the 10,000-row table time',
  plugin: {
    name: 'cli-table3-width-cache',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.kind !== 'require-call' || args.pluginData?.real || !/node_modules[\\/]cli-table3[\\/]src[\\/]utils\.js$/.test(args.importer)) return undefined;
        seen = true;
        const real = await b.resolve('string-width', { kind: 'require-call', resolveDir: args.resolveDir, pluginData: { real: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'table-string-width' };
      });
      b.onLoad({ filter: /.*/, namespace: 'table-string-width' }, (args) => ({
        resolveDir: dirname(args.path),
        contents: [
          `const stringWidth = require(${JSON.stringify(args.path)});`,
          'const widths = new Map();',
          'module.exports = (text) => {',
          '  let width = widths.get(text);',
          '  if (width === undefined) {',
          `    if (widths.size >= ${CACHED_WIDTHS}) widths.clear();`,
          '    width = /^[\\x20-\\x7e\\xa0-\\u02ff]*$/.test(text) ? text.length : stringWidth(text);',
          '    widths.set(text, width);',
          '  }',
          '  return width;',
          '};',
          '',
        ].join('\n'),
        loader: 'js',
      }));
      b.onEnd((result) => {
        if (result.errors.length === 0 && !seen) {
          throw new Error('build/patches/cli-table3-width-cache.mjs: cli-table3 no longer require()s string-width from src/utils.js; the dependency changed: update or remove the patch');
        }
      });
    },
  },
};
