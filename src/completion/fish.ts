/**
 * The fish completion script: fish's own `complete` entries, each guarded by a condition that walks
 * the words typed so far to find the command path (fish then handles flags, `--flag=value` and
 * descriptions itself).
 */
import type { CommandModel, OptionModel, ValueHint } from './model.js';
import { allCommands } from './model.js';
import { optionFlags, pathKey } from './shared.js';

/** Quotes text for fish: inside single quotes only \ and ' are special. */
export function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The `complete` switches that make fish complete a value as `h` says. */
function valueSwitches(h: ValueHint): string {
  switch (h.kind) {
    case 'words':
      return `-x -a ${fishQuote(h.words.join(' '))}`;
    case 'list':
      return `-x -a ${fishQuote(`(__yotta_list ${h.words.join(' ')})`)}`;
    case 'files':
      return '-r -F';
    case 'deployments':
      return `-x -a ${fishQuote('(__yotta_deployments)')}`;
    case 'workers':
      return `-x -a ${fishQuote('(__yotta_workers)')}`;
    case 'credentials':
      return `-x -a ${fishQuote('(__yotta_credentials)')}`;
    case 'tasks':
      return `-x -a ${fishQuote('(__yotta_tasks)')}`;
    case 'none':
      return '-x';
  }
}

function optionLine(o: OptionModel, condition: string | undefined): string {
  const parts = ['complete -c yotta'];
  if (condition) parts.push(`-n ${fishQuote(condition)}`);
  if (o.short) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long) parts.push(`-l ${o.long.slice(2)}`);
  if (o.value) parts.push(valueSwitches(o.value));
  parts.push(`-d ${fishQuote(o.description.replace(/\s+/g, ' ').trim())}`);
  return parts.join(' ');
}

function switchFunction(name: string, description: string, arms: string[], fallthrough: string): string {
  return [
    `function ${name} --description ${fishQuote(description)}`,
    '    switch "$argv[1]|$argv[2]"',
    ...arms,
    `        case '*'`,
    `            ${fallthrough}`,
    '    end',
    'end',
  ].join('\n');
}

// The walker and its helpers. __yotta_walk caches its answer for the line before the cursor, since
// fish evaluates the condition of every entry at each TAB.
const HELPERS = String.raw`
function __yotta_walk --description 'Reads the words before the cursor: command path, positional count, flag awaiting a value'
    set -l line (commandline -cp)
    test "$line" = "$__yotta_line"; and return 0
    set -g __yotta_line "$line"
    set -g __yotta_path ''
    set -g __yotta_npos 0
    set -g __yotta_want ''
    set -g __yotta_pass
    set -g __yotta_arg1 ''
    set -l dd 0
    set -l tokens (commandline -opc)
    set -e tokens[1]
    for w in $tokens
        if test -n "$__yotta_want"
            if contains -- $__yotta_want --profile --base-url
                set -a __yotta_pass $__yotta_want $w
            end
            set __yotta_want ''
            continue
        end
        if test $dd = 0; and test "$w" = '--'
            set dd 1
            continue
        end
        if test $dd = 0; and string match -qr -- '^-.' $w
            if test "$w" = --sandbox
                set -a __yotta_pass --sandbox
            else if string match -qr -- '^--[^=]+=' $w
                string match -qr -- '^--(profile|base-url)=' $w; and set -a __yotta_pass $w
            else if __yotta_takes_value "$__yotta_path" $w
                set __yotta_want $w
            end
            continue
        end
        set -l sub
        test $__yotta_npos = 0; and set sub (__yotta_sub "$__yotta_path" $w)
        if test -n "$sub"
            set __yotta_path (string trim -- "$__yotta_path $sub")
        else
            set __yotta_npos (math $__yotta_npos + 1)
            test $__yotta_npos = 1; and set __yotta_arg1 $w
        end
    end
end

function __yotta_at --description 'True when the words before the cursor are at command path $argv[1]'
    __yotta_walk
    test "$__yotta_path" = "$argv[1]"
end

function __yotta_arg --description 'True at path $argv[1] on positional argument $argv[2] (N+ means N or later)'
    __yotta_walk
    test "$__yotta_path" = "$argv[1]"; and test -z "$__yotta_want"; or return 1
    set -l n (string replace -- '+' '' $argv[2])
    if string match -q -- '*+' $argv[2]
        test $__yotta_npos -ge $n
    else
        test $__yotta_npos -eq $n
    end
end

function __yotta_list --description 'Candidates for a comma-separated list of the words given'
    set -l token (commandline -ct | string replace -r -- '^-[^=]*=' '')
    set -l prefix (string match -r -- '^.*,' $token)
    for w in $argv
        printf '%s%s\n' "$prefix" $w
    end
end

function __yotta_deployments --description 'Deployment names and ids, from yotta __complete deployments'
    __yotta_walk
    command yotta $__yotta_pass --no-input --no-color __complete deployments 2>/dev/null </dev/null
end

function __yotta_workers --description 'Worker ids of the deployment typed as the first argument'
    __yotta_walk
    test -n "$__yotta_arg1"; or return 0
    command yotta $__yotta_pass --no-input --no-color __complete workers -- $__yotta_arg1 2>/dev/null </dev/null
end

function __yotta_credentials --description 'Registry credential names and ids, from yotta __complete credentials'
    __yotta_walk
    command yotta $__yotta_pass --no-input --no-color __complete credentials 2>/dev/null </dev/null
end

function __yotta_tasks --description 'Task ids of recent submissions, from yotta __complete tasks'
    command yotta --no-input --no-color __complete tasks 2>/dev/null </dev/null
end
`;

/** The fish completion script for `root` (the model of the whole program). */
export function fishScript(root: CommandModel, version: string): string {
  const commands = allCommands(root);
  const subArms: string[] = [];
  const valueArms: string[] = [];
  for (const c of commands) {
    for (const s of c.subcommands) {
      subArms.push(`        case ${[s.name, ...s.aliases].map((n) => fishQuote(`${pathKey(c)}|${n}`)).join(' ')}`, `            echo ${s.name}`);
    }
    if (c === root) continue;
    const below = c.subcommands.length > 0;
    for (const o of c.options.filter((x) => x.value)) {
      const patterns = optionFlags(o).flatMap((f) => [`${pathKey(c)}|${f}`, ...(below ? [`${pathKey(c)} *|${f}`] : [])]);
      valueArms.push(`        case ${patterns.map(fishQuote).join(' ')}`, '            return 0');
    }
  }
  for (const o of root.options.filter((x) => x.value)) {
    valueArms.push(`        case ${optionFlags(o).map((f) => fishQuote(`*|${f}`)).join(' ')}`, '            return 0');
  }

  const lines: string[] = [
    `# fish completion for yotta ${version}, generated by \`yotta completion fish\`.`,
    '# Load it now:      yotta completion fish | source',
    '# Load it for good: yotta completion fish > ~/.config/fish/completions/yotta.fish',
    '',
    switchFunction('__yotta_sub', 'The subcommand of path $argv[1] that word $argv[2] names (an alias gives the name)', subArms, 'return 1'),
    '',
    switchFunction('__yotta_takes_value', 'Whether flag $argv[2] takes a value at path $argv[1]', valueArms, 'return 1'),
    HELPERS,
    '# Files only where a flag or argument asks for one.',
    'complete -c yotta -f',
    '',
    '# Global flags, valid after any command.',
    ...root.options.map((o) => optionLine(o, undefined)),
  ];
  const globalKeys = new Set(root.options.map((o) => optionFlags(o).join(' ')));
  for (const c of commands) {
    const key = pathKey(c);
    const entries: string[] = [];
    for (const s of c.subcommands) {
      entries.push(`complete -c yotta -n ${fishQuote(`__yotta_arg "${key}" 0`)} -a ${s.name} -d ${fishQuote(s.description)}`);
    }
    if (c !== root) {
      for (const o of c.options) if (!globalKeys.has(optionFlags(o).join(' '))) entries.push(optionLine(o, `__yotta_at "${key}"`));
    }
    c.args.forEach((a, i) => {
      if (a.hint.kind === 'none') return;
      const position = a.variadic ? `${i}+` : String(i);
      const what = a.hint.kind === 'files' ? '-F' : valueSwitches(a.hint).replace(/^-x /, '');
      entries.push(`complete -c yotta -n ${fishQuote(`__yotta_arg "${key}" ${position}`)} ${what}`);
    });
    if (entries.length > 0) lines.push('', `# ${key === '' ? 'yotta' : `yotta ${key}`}`, ...entries);
  }
  return lines.join('\n') + '\n';
}
