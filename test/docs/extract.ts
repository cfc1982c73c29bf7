/**
 * Finds the documented command lines: every `yotta …` line in README.md's code blocks and every
 * line of an `Examples:` block in any command's `--help`. Generic on purpose: a README section or a
 * command added later is covered without touching this file.
 */
import type { Command } from 'commander';

/** One documented line, with where it was found and the lines run before it (same block, in order). */
export interface DocExample {
  /** `README.md:42` or `yotta deploy list --help`. */
  source: string;
  /** The block it belongs to: its lines share one seeded state and run in order. */
  block: string;
  /** The command line, continuation lines joined, without the `$ ` prompt. */
  line: string;
}

/** Joins `\`-continued lines, keeping the first line's number. */
function joinContinuations(lines: { text: string; n: number }[]): { text: string; n: number }[] {
  const out: { text: string; n: number }[] = [];
  let pending: { text: string; n: number } | undefined;
  for (const l of lines) {
    const text = pending ? `${pending.text} ${l.text.trim()}` : l.text;
    const n = pending ? pending.n : l.n;
    if (/\\\s*$/.test(text)) pending = { text: text.replace(/\\\s*$/, '').trimEnd(), n };
    else {
      pending = undefined;
      out.push({ text, n });
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** Whether a shell line runs yotta (as `yotta` or as `node bin/yotta.js`). */
export function runsYotta(line: string): boolean {
  return /(^|[\s|&;(`])(yotta|node bin\/yotta\.js)(\s|$)/.test(line);
}

/**
 * The `yotta` lines of README.md's fenced (```) and indented (4 spaces) code blocks. In a block that
 * shows a session (`$ ` prompts), only prompt lines are commands; the rest is output.
 */
export function readmeExamples(markdown: string, file = 'README.md'): DocExample[] {
  const lines = markdown.split('\n');
  const out: DocExample[] = [];
  let i = 0;
  while (i < lines.length) {
    const fence = /^(\s*)```/.exec(lines[i]!);
    const indented = /^ {4}\S/.test(lines[i]!) && (i === 0 || lines[i - 1]!.trim() === '');
    if (!fence && !indented) {
      i++;
      continue;
    }
    const start = i + 1;
    const body: { text: string; n: number }[] = [];
    if (fence) {
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i]!)) body.push({ text: lines[i]!, n: ++i });
      i++;
    } else {
      while (i < lines.length && (/^ {4}/.test(lines[i]!) || lines[i]!.trim() === '')) {
        body.push({ text: lines[i]!.slice(4), n: i + 1 });
        i++;
      }
    }
    const prompted = body.some((l) => l.text.startsWith('$ '));
    const commands = prompted ? body.filter((l) => l.text.startsWith('$ ')).map((l) => ({ text: l.text.slice(2), n: l.n })) : body;
    for (const l of joinContinuations(commands)) {
      const text = l.text.trim();
      if (text.startsWith('#') || !runsYotta(text)) continue;
      out.push({ source: `${file}:${l.n}`, block: `${file}:${start}`, line: text });
    }
  }
  return out;
}

/** The lines of a help text's `Examples:` section (each `$ `-prompted, continuations joined). */
export function helpExampleLines(help: string): string[] {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => /^Examples:\s*$/.test(l));
  if (at < 0) return [];
  const body: { text: string; n: number }[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') {
      // The section ends at the first blank line after it began.
      if (body.length) break;
      continue;
    }
    if (!/^\s/.test(l)) break;
    const t = l.trim();
    if (t.startsWith('$ ')) body.push({ text: t.slice(2), n: i });
    else if (body.length && /\\\s*$/.test(body[body.length - 1]!.text)) body.push({ text: t, n: i });
  }
  return joinContinuations(body).map((l) => l.text.trim());
}

/** Every command below (and including) `root`, depth first, with its full name (`yotta deploy list`). */
export function walkCommands(root: Command, prefix = ''): { name: string; cmd: Command }[] {
  const name = prefix ? `${prefix} ${root.name()}` : root.name();
  return [{ name, cmd: root }, ...root.commands.flatMap((c) => walkCommands(c, name))];
}

/**
 * The examples of every command's help. `helpOf` renders a command's full help (with the text added
 * after it), as `--help` prints it.
 */
export function helpExamples(root: Command, helpOf: (cmd: Command) => string): DocExample[] {
  const out: DocExample[] = [];
  for (const { name, cmd } of walkCommands(root)) {
    if (name.split(' ').some((w) => w.startsWith('__'))) continue;
    const source = `${name} --help`;
    for (const line of helpExampleLines(helpOf(cmd))) out.push({ source, block: source, line });
  }
  return out;
}
