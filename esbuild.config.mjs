// Builds src/ into dist/: one ESM bundle per entry, code-split so that the lazy
// `import()`s of heavy modules (commander, ora, conf, yaml, undici...) stay lazy.
// Not minified: measured slower to start, and stack traces under --debug stay readable.
//
// `node esbuild.config.mjs --metafile FILE` also writes esbuild's metafile (what every chunk
// holds); test/bench/bundle-report.mjs reads it to show what the startup path loads.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// The parts of undici that src/api/client.ts uses (Agent, EnvHttpProxyAgent, request), instead of
// undici/index.js, which also loads fetch, WebSocket, caches, cookies, mocks and every interceptor:
// measured 140 ms to load against 60 ms for these parts. `request` is undici's own top-level
// request() (index.js's makeDispatcher) reduced to the one way the client calls it: a full URL
// string and an explicit dispatcher. The proxy agent (with its SOCKS5 code) and the Dispatcher
// methods it needs (index.js's mixin: ProxyAgent opens its tunnel with dispatcher.connect) are
// loaded only when a proxy is configured.
const UNDICI_FACADE = `
import Agent from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';
import errors from 'undici/lib/core/errors.js';
export { Agent, errors };
export class EnvHttpProxyAgent {
  constructor(opts) {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
    Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
    const Real = require('undici/lib/dispatcher/env-http-proxy-agent.js');
    return new Real(opts);
  }
}
export function request(url, opts) {
  if (typeof url !== 'string' || opts == null || opts.dispatcher == null) {
    throw new errors.InvalidArgumentError('yotta bundles undici.request(url: string, { dispatcher, ... }) only');
  }
  const { dispatcher, agent, ...rest } = opts;
  const u = new URL(url);
  return apiRequest.call(dispatcher, { ...rest, origin: u.origin, path: u.pathname + u.search, method: rest.method || (rest.body ? 'PUT' : 'GET') });
}
`;

/**
 * Requires in undici's source that load more than a request needs, each made to wait for the code
 * that needs it. The build fails if undici's source no longer has a line, so that an upgrade cannot
 * silently undo (or break) one.
 *
 * - The Client requires its HTTP/2 half at load time, and with it node:http2 (which loads tls):
 *   measured +36 ms and +13 MB for every command, though HTTP/2 is used only when a TLS server
 *   picks it by ALPN. That require now waits for the first HTTP/2 connection.
 * - node:http (ten modules, the HTTP server among them) is required for two things: a class to
 *   compare with when a request body stream is destroyed, and http.maxHeaderSize, read when a
 *   Client is created without maxHeaderSize (src/api/client.ts always gives Node's default). Both
 *   now require it where they are used.
 */
const UNDICI_PATCHES = [
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: "const connectH2 = require('./client-h2.js')",
    to: "let connectH2Impl\nconst connectH2 = (client, socket) => (connectH2Impl ??= require('./client-h2.js'))(client, socket)",
  },
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: "const http = require('node:http')\n",
    to: '',
  },
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: `const getDefaultNodeMaxHeaderSize = http &&
  http.maxHeaderSize &&
  Number.isInteger(http.maxHeaderSize) &&
  http.maxHeaderSize > 0
  ? () => http.maxHeaderSize
  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }`,
    to: `const getDefaultNodeMaxHeaderSize = () => {
  const http = require('node:http')
  if (http && http.maxHeaderSize && Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize
  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')
}`,
  },
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/,
    from: "const { IncomingMessage } = require('node:http')\n",
    to: '',
  },
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/,
    from: 'Object.getPrototypeOf(stream).constructor === IncomingMessage',
    to: "Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage",
  },
];

/**
 * undici checks its invariants with node:assert, required by 34 of its files at load time; loading
 * node:assert loads its diff and error-message machinery (seven modules). Here `assert` is a
 * function that requires node:assert only when an assertion fails, and lets node:assert throw.
 * undici only calls assert(value, message); the build fails if a file uses another member of it.
 */
const UNDICI_ASSERT = {
  from: "const assert = require('node:assert')\n",
  to: "const assert = (value, message) => { if (!value) require('node:assert')(value, message) }\n",
};

const undiciTrims = {
  name: 'undici-trims',
  setup(b) {
    const found = new Set();
    b.onLoad({ filter: /node_modules[\\/]undici[\\/]lib[\\/].*\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      for (const p of UNDICI_PATCHES) {
        if (!p.file.test(args.path)) continue;
        if (!text.includes(p.from)) throw new Error(`undici changed: ${args.path} no longer has "${p.from}"; update UNDICI_PATCHES in esbuild.config.mjs`);
        text = text.replace(p.from, p.to);
        found.add(p);
      }
      if (text.includes(UNDICI_ASSERT.from)) {
        if (/\bassert\.\w/.test(text)) throw new Error(`undici changed: ${args.path} uses a member of node:assert; update UNDICI_ASSERT in esbuild.config.mjs`);
        text = text.replace(UNDICI_ASSERT.from, UNDICI_ASSERT.to);
      }
      return { contents: text, loader: 'js' };
    });
    b.onEnd((result) => {
      const missed = UNDICI_PATCHES.filter((p) => !found.has(p));
      if (result.errors.length === 0 && missed.length > 0) throw new Error(`undici changed: no file matched ${missed.map((p) => p.file).join(', ')}; update UNDICI_PATCHES in esbuild.config.mjs`);
    });
  },
};

/**
 * esbuild with splitting turns `await import('cjs-package')` into a chunk that only has a default
 * export, so `const { stringify } = await import('yaml')` gets undefined (Node itself gives the
 * named exports of a CommonJS module). This plugin serves such dynamic imports from a small ESM
 * facade that re-exports the names the package really has; undici gets the trimmed facade above.
 */
const cjsDynamicImports = {
  name: 'cjs-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[a-z@][^:]*$/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData?.facade) return undefined;
      if (args.path === 'undici') return { path: 'undici', namespace: 'cjs-facade', pluginData: { resolveDir: args.resolveDir } };
      const real = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, pluginData: { facade: true } });
      if (real.errors.length > 0 || !isCommonJs(real.path)) return undefined;
      return { path: args.path, namespace: 'cjs-facade', pluginData: { resolveDir: args.resolveDir, file: real.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'cjs-facade' }, (args) => {
      const { resolveDir, file } = args.pluginData;
      if (args.path === 'undici') return { contents: UNDICI_FACADE, resolveDir, loader: 'js' };
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

/**
 * Node built-ins imported by our code and by bundled ESM packages (commander), served lazily.
 * An `import` of a built-in costs more than the code needs: Node's ESM wrapper of a built-in reads
 * every export, esbuild's CommonJS interop (__toESM) reads every property descriptor, and in Node 24
 * reading the descriptor of one of node:util's lazy exports loads what it stands for (parseArgs,
 * diff, worker_threads, streams...). Commander imports node:child_process at load time, for the
 * executable subcommands yotta does not have. Measured on `deploy list --json`: 25 fewer internal
 * modules loaded (98 → 73) and 0.8 MB less peak RSS.
 *
 * Here each such import is a small CommonJS module whose every export is a getter: the built-in is
 * fetched with process.getBuiltinModule() when a property is first read, and only that property.
 * The names are those the build's Node has (engines needs a Node with every name the code uses).
 * node:process and built-ins that are functions (node:events, node:assert) are served as they are:
 * their methods need their own `this`, and reading them loads nothing.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.kind !== 'import-statement') return undefined;
      return { path: args.path, namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const id = JSON.stringify(args.path);
      const real = process.getBuiltinModule(args.path);
      if (real === undefined) throw new Error(`${args.path} is not a Node.js built-in module`);
      if (typeof real !== 'object' || real === process) return { contents: `module.exports = process.getBuiltinModule(${id});\n`, loader: 'js' };
      const names = Object.getOwnPropertyNames(real).filter((k) => k !== '__esModule');
      const contents = [
        `let m;`,
        `const get = (k) => (m ??= process.getBuiltinModule(${id}))[k];`,
        `for (const k of ${JSON.stringify(names)}) Object.defineProperty(exports, k, { get: () => get(k), enumerable: true });`,
        '',
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

/**
 * cli-table3 measures a cell's text many times over as it pads, truncates and lays out (each
 * measure runs strip-ansi, which builds a new RegExp from a string every time, and emoji-regex):
 * on a 10,000-row table that was 0.6 s of 2.1 s. Here cli-table3's own string-width (4) is wrapped
 * in a cache, so each distinct text is measured once: the same function, the same widths. The cache
 * is emptied when it reaches CACHED_WIDTHS entries. The build fails if cli-table3 stops requiring
 * string-width from src/utils.js.
 */
const CACHED_WIDTHS = 4096;
const tableStringWidth = {
  name: 'table-string-width',
  setup(b) {
    let seen = false;
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
        '    width = stringWidth(text);',
        '    widths.set(text, width);',
        '  }',
        '  return width;',
        '};',
        '',
      ].join('\n'),
      loader: 'js',
    }));
    b.onEnd((result) => {
      if (result.errors.length === 0 && !seen) throw new Error('cli-table3 no longer require()s string-width from src/utils.js; update tableStringWidth in esbuild.config.mjs');
    });
  },
};

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
  plugins: [cjsDynamicImports, undiciTrims, lazyBuiltins, tableStringWidth],
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
