// Node built-ins imported by our code and by bundled ESM packages (commander), served lazily.
// An `import` of a built-in costs more than the code needs: Node's ESM wrapper of a built-in reads
// every export, esbuild's CommonJS interop (__toESM) reads every property descriptor, and in Node 24
// reading the descriptor of one of node:util's lazy exports loads what it stands for (parseArgs,
// diff, worker_threads, streams...). Commander imports node:child_process at load time, for the
// executable subcommands yotta does not have.
//
// Here each such import is a small CommonJS module whose every export is a getter: the built-in is
// fetched with process.getBuiltinModule() when a property is first read, and only that property.
// node:process and built-ins that are functions (node:events, node:assert) are served as they are:
// their methods need their own `this`, and reading them loads nothing.
// Saves (measured when it was added, `deploy list --json`): 25 of 98 internal modules, 0.8 MB peak RSS.
export default {
  name: 'lazy-builtins',
  saves: '25 internal modules and 0.8 MB peak RSS on deploy list --json',
  plugin: {
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
  },
};
