/** The bash completion script: generated `case` tables plus one walker that reads the words typed so far. */
import type { CommandModel } from './model.js';
import { allCommands } from './model.js';
import { argvalFunction, offeredOptions, optionFlags, optvalFunction, pathKey, shQuote, subFunction } from './shared.js';

function wordsFunction(name: string, comment: string, entries: Array<[string, string[]]>): string {
  const arms = entries.filter(([, words]) => words.length > 0).map(([key, words]) => `    ${shQuote(key)}) REPLY=${shQuote(words.join(' '))} ;;`);
  return [`# ${comment}`, `${name}() {`, '  case "$1" in', ...arms, '    *) REPLY= ;;', '  esac', '}'].join('\n');
}

// The walker. Bash splits `--output=json` into `--output`, `=`, `json` (COMP_WORDBREAKS), so a lone
// `=` after a flag that takes a value is skipped. Deployment names come from `yotta __complete
// deployments`, given the --profile, --base-url and --sandbox typed on the line; words it prints are
// matched as plain strings, never evaluated. Written with @{ for bash's ${ (a template literal's own).
const WALKER = String.raw`
# Completes word $2 from hint $1 ("words a b", "list a b", "files", "deployments", "workers", "credentials", "tasks", "none"); $3 is kept in front.
_yotta_values() {
  local kind=@{1%% *} words= cur=$2 pre=$3 w
  [[ $1 == *' '* ]] && words=@{1#* }
  case $kind in
    words)
      COMPREPLY=($(compgen -P "$pre" -W "$words" -- "$cur"))
      # "workers=" wants its number typed right after it.
      [[ @{#COMPREPLY[@]} == 1 && @{COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null ;;
    list)
      if [[ $cur == *,* ]]; then pre=$pre@{cur%,*},; cur=@{cur##*,}; fi
      [[ $cur == [A-Z]* ]] && words=$(printf '%s' "$words" | tr '[:lower:]' '[:upper:]')
      COMPREPLY=($(compgen -P "$pre" -W "$words" -- "$cur")) ;;
    files)
      local IFS=$'\n'
      COMPREPLY=($(compgen -f -- "$cur"))
      compopt -o filenames 2>/dev/null ;;
    deployments|credentials)
      while IFS=$'\t' read -r w _; do
        [[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
      done < <(command yotta @{_yotta_pass[@]+"@{_yotta_pass[@]}"} --no-input --no-color __complete "$kind" 2>/dev/null </dev/null) ;;
    workers)
      # The workers of the deployment typed as the first argument.
      [[ -n $_yotta_arg1 ]] || return 0
      while IFS=$'\t' read -r w _; do
        [[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
      done < <(command yotta @{_yotta_pass[@]+"@{_yotta_pass[@]}"} --no-input --no-color __complete workers -- "$_yotta_arg1" 2>/dev/null </dev/null) ;;
    tasks)
      while IFS=$'\t' read -r w _; do
        [[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
      done < <(command yotta --no-input --no-color __complete tasks 2>/dev/null </dev/null) ;;
  esac
}

_yotta() {
  local cur=@{COMP_WORDS[COMP_CWORD]} cmdpath= npos=0 i w want= dd= REPLY _yotta_arg1=
  local -a _yotta_pass=()
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=@{COMP_WORDS[i]}
    if [[ -n $want ]]; then
      [[ $w == = ]] && continue
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
      npos=$((npos + 1))
      (( npos == 1 )) && _yotta_arg1=$w
    fi
  done
  if [[ -n $want ]]; then
    [[ $cur == = ]] && cur=
    _yotta_optval "$cmdpath" "$want" && _yotta_values "$REPLY" "$cur" ""
    return 0
  fi
  if [[ -z $dd && $cur == --*=* ]]; then
    _yotta_optval "$cmdpath" "@{cur%%=*}" && _yotta_values "$REPLY" "@{cur#*=}" "@{cur%%=*}="
    return 0
  fi
  if [[ -z $dd && $cur == -* ]]; then
    _yotta_opts "$cmdpath"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  fi
  if (( npos == 0 )); then
    _yotta_subs "$cmdpath"
    if [[ -n $REPLY ]]; then
      COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
      return 0
    fi
  fi
  _yotta_argval "$cmdpath" "$npos" && _yotta_values "$REPLY" "$cur" ""
  return 0
}

complete -F _yotta yotta
`.replaceAll('@{', '${');

/** The bash completion script for `root` (the model of the whole program). */
export function bashScript(root: CommandModel, version: string): string {
  const commands = allCommands(root);
  const subs = wordsFunction(
    '_yotta_subs',
    'Subcommands offered at path $1.',
    commands.map((c) => [pathKey(c), c.subcommands.map((s) => s.name)]),
  );
  const opts = wordsFunction(
    '_yotta_opts',
    'Flags offered at path $1.',
    commands.map((c) => [pathKey(c), offeredOptions(c, root).flatMap(optionFlags)]),
  );
  return [
    `# bash completion for yotta ${version}, generated by \`yotta completion bash\`.`,
    '# Load it now:      source <(yotta completion bash)',
    '# Load it for good: yotta completion bash > ~/.local/share/bash-completion/completions/yotta',
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
