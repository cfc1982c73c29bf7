/**
 * The zsh completion script: the same `case` tables and walker as bash (zsh reads them alike), with
 * descriptions for commands, flags and deployments, and zsh's own handling of `--flag=value` and
 * comma-separated lists (compset).
 */
import type { CommandModel } from './model.js';
import { allCommands } from './model.js';
import { argvalFunction, offeredOptions, optionFlags, optvalFunction, pathKey, shQuote, subFunction } from './shared.js';

/** `name:description` for _describe, with the colons of the name escaped. */
function described(name: string, description: string): string {
  return shQuote(`${name.replace(/:/g, '\\:')}:${description.replace(/\s+/g, ' ').trim()}`);
}

function describedFunction(name: string, comment: string, entries: Array<[string, string[]]>): string {
  const arms = entries
    .filter(([, items]) => items.length > 0)
    .map(([key, items]) => `    ${shQuote(key)}) reply=(\n      ${items.join('\n      ')}\n    ) ;;`);
  return [`# ${comment}`, `${name}() {`, '  reply=()', '  case "$1" in', ...arms, '  esac', '}'].join('\n');
}

// Written with @{ for zsh's ${ (a template literal's own). `cmdpath`, not `path`: zsh ties $path to $PATH.
const WALKER = String.raw`
# Completes the current word from hint $1 ("words a b", "list a b", "files", "deployments", "workers", "credentials", "tasks", "none").
_yotta_values() {
  local kind=@{1%% *} line
  local -a vals deps
  [[ $1 == *' '* ]] && vals=(@{=@{1#* }})
  case $kind in
    words)
      # "workers=" wants its number typed right after it: no space.
      local -a eq=(@{(M)vals:#*=})
      vals=(@{vals:#*=})
      compadd -a vals
      (( @{#eq} )) && compadd -S '' -a eq ;;
    list)
      compset -P '*,'
      compadd -M 'm:{a-zA-Z}={A-Za-z}' -a vals ;;
    files) _files ;;
    deployments|credentials)
      for line in @{(f)"$(command yotta @{_yotta_pass[@]} --no-input --no-color __complete $kind 2>/dev/null </dev/null)"}; do
        if [[ $line == *$'\t'* ]]; then deps+=("@{line%%$'\t'*}:@{line#*$'\t'}"); elif [[ -n $line ]]; then deps+=("$line"); fi
      done
      (( @{#deps} )) && _describe -t $kind @{kind%s} deps ;;
    workers)
      # The workers of the deployment typed as the first argument.
      [[ -n $_yotta_arg1 ]] || return 0
      for line in @{(f)"$(command yotta @{_yotta_pass[@]} --no-input --no-color __complete workers -- "$_yotta_arg1" 2>/dev/null </dev/null)"}; do
        if [[ $line == *$'\t'* ]]; then deps+=("@{line%%$'\t'*}:@{line#*$'\t'}"); elif [[ -n $line ]]; then deps+=("$line"); fi
      done
      (( @{#deps} )) && _describe -t workers 'worker' deps ;;
    tasks)
      for line in @{(f)"$(command yotta --no-input --no-color __complete tasks 2>/dev/null </dev/null)"}; do
        if [[ $line == *$'\t'* ]]; then deps+=("@{line%%$'\t'*}:@{line#*$'\t'}"); elif [[ -n $line ]]; then deps+=("$line"); fi
      done
      (( @{#deps} )) && _describe -t tasks 'task' deps ;;
  esac
}

_yotta() {
  local cur=@{words[CURRENT]} cmdpath= npos=0 i w want= dd= REPLY _yotta_arg1=
  local -a reply _yotta_pass
  for (( i = 2; i < CURRENT; i++ )); do
    w=@{words[i]}
    if [[ -n $want ]]; then
      case $want in --profile|--base-url) _yotta_pass+=("$want" "$w") ;; esac
      want=
      continue
    fi
    if [[ -z $dd && $w == -- ]]; then dd=1; continue; fi
    if [[ -z $dd && $w == -?* ]]; then
      [[ $w == --sandbox ]] && _yotta_pass+=(--sandbox)
      if [[ $w == --*=* ]]; then
        case @{w%%=*} in --profile|--base-url) _yotta_pass+=("$w") ;; esac
        continue
      fi
      _yotta_optval "$cmdpath" "$w" && want=$w
      continue
    fi
    if (( npos == 0 )) && _yotta_sub "$cmdpath" "$w"; then
      cmdpath=@{cmdpath:+$cmdpath }$REPLY
    else
      npos=$(( npos + 1 ))
      (( npos == 1 )) && _yotta_arg1=$w
    fi
  done
  if [[ -n $want ]]; then
    _yotta_optval "$cmdpath" "$want" && _yotta_values "$REPLY"
    return 0
  fi
  if [[ -z $dd && $cur == --*=* ]]; then
    if _yotta_optval "$cmdpath" "@{cur%%=*}"; then
      compset -P '*='
      _yotta_values "$REPLY"
    fi
    return 0
  fi
  if [[ -z $dd && $cur == -* ]]; then
    _yotta_opts "$cmdpath"
    (( @{#reply} )) && _describe -t options 'flag' reply
    return 0
  fi
  if (( npos == 0 )); then
    _yotta_subs "$cmdpath"
    if (( @{#reply} )); then
      _describe -t commands 'command' reply
      return 0
    fi
  fi
  _yotta_argval "$cmdpath" "$npos" && _yotta_values "$REPLY"
  return 0
}

# Installed in $fpath this file is the function itself; sourced, it registers one.
if [[ $funcstack[1] == _yotta ]]; then
  _yotta "$@"
else
  compdef _yotta yotta
fi
`.replaceAll('@{', '${');

/** The zsh completion script for `root` (the model of the whole program). */
export function zshScript(root: CommandModel, version: string): string {
  const commands = allCommands(root);
  const subs = describedFunction(
    '_yotta_subs',
    'Subcommands offered at path $1, with descriptions.',
    commands.map((c) => [pathKey(c), c.subcommands.map((s) => described(s.name, s.description))]),
  );
  const opts = describedFunction(
    '_yotta_opts',
    'Flags offered at path $1, with descriptions.',
    commands.map((c) => [pathKey(c), offeredOptions(c, root).flatMap((o) => optionFlags(o).map((f) => described(f, o.description)))]),
  );
  return [
    '#compdef yotta',
    `# zsh completion for yotta ${version}, generated by \`yotta completion zsh\`.`,
    '# Load it now:      source <(yotta completion zsh)   (after compinit)',
    '# Load it for good: yotta completion zsh > "${fpath[1]}/_yotta", then start a new shell',
    '',
    subFunction(root),
    '',
    subs,
    '',
    opts,
    '',
    optvalFunction(root),
    '',
    argvalFunction(root),
    WALKER,
  ].join('\n');
}
