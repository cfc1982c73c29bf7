/**
 * The parts of the bash and zsh scripts that both shells read the same way: `case` tables that map
 * a command path and a word to a subcommand, or a flag or argument to how its value completes.
 * Each answer is left in REPLY, so a lookup costs no subshell.
 */
import type { CommandModel, OptionModel, ValueHint } from './model.js';
import { allCommands } from './model.js';

/** Single-quotes text for bash and zsh. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A hint as the scripts read it: `none`, `files`, `deployments`, `workers`, `credentials`, `tasks`, `words a b c` or `list a b c`. */
export function encodeHint(h: ValueHint): string {
  switch (h.kind) {
    case 'words':
    case 'list':
      return `${h.kind} ${h.words.join(' ')}`;
    default:
      return h.kind;
  }
}

/** A command's path as the scripts spell it: names joined by one space, '' for the program. */
export function pathKey(c: CommandModel): string {
  return c.path.join(' ');
}

/** The flag spellings of an option (`-o`, `--output`). */
export function optionFlags(o: OptionModel): string[] {
  return [o.short, o.long].filter((f): f is string => f !== undefined);
}

function caseFunction(name: string, comment: string, subject: string, arms: string[]): string {
  return [
    `# ${comment}`,
    `${name}() {`,
    `  case "${subject}" in`,
    ...arms.map((a) => `    ${a}`),
    `    *) REPLY=; return 1 ;;`,
    `  esac`,
    `}`,
  ].join('\n');
}

/** `_yotta_sub PATH WORD`: the canonical name of subcommand WORD (a name or an alias) of PATH, else status 1. */
export function subFunction(root: CommandModel): string {
  const arms: string[] = [];
  for (const c of allCommands(root)) {
    for (const s of c.subcommands) {
      const patterns = [s.name, ...s.aliases].map((n) => shQuote(`${pathKey(c)}|${n}`));
      arms.push(`${patterns.join('|')}) REPLY=${s.name} ;;`);
    }
  }
  return caseFunction('_yotta_sub', 'The subcommand of path $1 that word $2 names (an alias gives the name).', '$1|$2', arms);
}

/**
 * `_yotta_optval PATH FLAG`: how the value of FLAG completes at PATH; status 1 when FLAG takes no
 * value there. A group's flags also hold below it; the program's (global) flags hold everywhere.
 */
export function optvalFunction(root: CommandModel): string {
  const arms: string[] = [];
  for (const c of allCommands(root).filter((x) => x.path.length > 0)) {
    for (const o of c.options) {
      if (!o.value) continue;
      const key = pathKey(c);
      const patterns = optionFlags(o).flatMap((f) => {
        const own = shQuote(`${key}|${f}`);
        return c.subcommands.length > 0 ? [own, `${shQuote(key + ' ')}*${shQuote('|' + f)}`] : [own];
      });
      arms.push(`${patterns.join('|')}) REPLY=${shQuote(encodeHint(o.value))} ;;`);
    }
  }
  for (const o of root.options) {
    if (!o.value) continue;
    const patterns = optionFlags(o).map((f) => `*${shQuote('|' + f)}`);
    arms.push(`${patterns.join('|')}) REPLY=${shQuote(encodeHint(o.value))} ;;`);
  }
  return caseFunction('_yotta_optval', 'How the value of flag $2 at path $1 completes; status 1 when it takes none.', '$1|$2', arms);
}

/** `_yotta_argval PATH N`: how positional argument N (from 0) of PATH completes; status 1 when there is none. */
export function argvalFunction(root: CommandModel): string {
  const arms: string[] = [];
  for (const c of allCommands(root)) {
    c.args.forEach((a, i) => {
      // A variadic argument is the last one: every later position is it.
      const pattern = a.variadic ? `${shQuote(pathKey(c) + '|')}*` : shQuote(`${pathKey(c)}|${i}`);
      arms.push(`${pattern}) REPLY=${shQuote(encodeHint(a.hint))} ;;`);
    });
  }
  return caseFunction('_yotta_argval', 'How positional argument $2 (from 0) of path $1 completes.', '$1|$2', arms);
}

/** Every flag spelling offered at a command: its own, then the program's global flags. */
export function offeredOptions(c: CommandModel, root: CommandModel): OptionModel[] {
  const seen = new Set<string>();
  const out: OptionModel[] = [];
  for (const o of c === root ? root.options : [...c.options, ...root.options.filter((g) => g.long !== '--version')]) {
    const key = optionFlags(o).join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out;
}
