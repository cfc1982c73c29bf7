/**
 * main() registers only the branch of commands the command line runs (src/commands/index.ts). What
 * must hold: the tables of names say exactly what the commands register; the words are read past
 * global options wherever they stand; and whatever the command line, a lazily built program behaves
 * as the whole one does: the same help, the same errors, the same suggestions.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandWords } from '../../src/main.js';
import { COMMANDS } from '../../src/commands/index.js';
import type { LazyCommand } from '../../src/commands/registry.js';
import { DEPLOY_VERBS } from '../../src/commands/deploy/index.js';
import { AUTH_VERBS } from '../../src/commands/auth/index.js';
import { runCli, testContext } from '../helpers/cli.js';

const namesOf = (cmd: Command): string[] => [cmd.name(), ...cmd.aliases()];

/** Every command path of the whole program: ['deploy'], ['deploy', 'list'], ... */
function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

describe('the tables of lazily loaded commands', () => {
  it.each([
    ['top-level commands', [] as string[], COMMANDS],
    ['deploy verbs', ['deploy'], DEPLOY_VERBS],
    ['auth verbs', ['auth'], AUTH_VERBS],
  ] as [string, string[], readonly LazyCommand[]][])('name the %s, aliases included, in the order the whole program lists them', async (_what, path, table) => {
    let parent = await buildProgram(testContext().ctx);
    for (const word of path) parent = parent.commands.find((c) => c.name() === word)!;
    expect(table.map((e) => e.names)).toEqual(parent.commands.map(namesOf));
  });
});

describe('commandWords', () => {
  const cases: [string[], string[]][] = [
    [['deploy', 'list', '--json'], ['deploy', 'list']],
    [['deploy', 'ls'], ['deploy', 'ls']],
    [['--json', 'deploy', 'list'], ['deploy', 'list']],
    [['--profile', 'deploy', 'auth', 'status'], ['auth', 'status']],
    [['--profile=staging', 'deploy', 'get', 'x'], ['deploy', 'get']],
    [['-o', 'json', 'deploy', '--timeout', '5s', 'scale', 'x', '4'], ['deploy', 'scale']],
    [['--no-color', '--sandbox', '-q', 'gpus'], ['gpus']],
    [['--base-url', 'http://127.0.0.1:1', 'deploy'], ['deploy']],
    // Stops at what it cannot place: fewer words, more commands registered.
    [['deploy', '--help', 'list'], ['deploy']],
    [['deploy', '--status', 'running', 'list'], ['deploy']],
    [['-ojson', 'deploy', 'list'], []],
    [['--bogus', 'deploy', 'list'], []],
    [['--', 'deploy'], []],
    [['-h'], []],
    [[], []],
  ];
  it.each(cases)('%j → %j', async (argv, words) => {
    const program = await buildProgram(testContext().ctx, []);
    expect(commandWords(program, argv)).toEqual(words);
  });
});

describe('a program built for one command line', () => {
  it('has only the branch that command line names', async () => {
    const program = await buildProgram(testContext().ctx, ['--json', 'deploy', 'ls']);
    expect(paths(program)).toEqual([['deploy'], ['deploy', 'list']]);
  });

  it('has every command of a level its words name none of, without their own subcommands', async () => {
    const whole = await buildProgram(testContext().ctx);
    const top = whole.commands.map((c) => c.name());
    for (const argv of [[], ['--help'], ['deploi', 'list']]) {
      const program = await buildProgram(testContext().ctx, argv);
      expect(program.commands.map((c) => c.name()), argv.join(' ')).toEqual(top);
      // `yotta --help` needs the groups' summaries, not their verbs.
      expect(paths(program).filter((p) => p[0] === 'deploy' || p[0] === 'auth'), argv.join(' ')).toEqual([['deploy'], ['auth']]);
    }
    for (const argv of [['deploy', 'lst'], ['deploy', '--help']]) {
      const program = await buildProgram(testContext().ctx, argv);
      expect(paths(program), argv.join(' ')).toEqual(paths(whole).filter((p) => p[0] === 'deploy'));
    }
  });

  it('prints the same help for every command as the whole program does', async () => {
    const out = testContext();
    const whole = await buildProgram(out.ctx);
    const all = [[], ...paths(whole)];
    expect(all.length).toBeGreaterThan(20);
    for (const path of all) {
      let cmd = whole;
      for (const word of path) cmd = cmd.commands.find((c) => c.name() === word)!;
      out.stdout.chunks = [];
      cmd.outputHelp();
      const r = await runCli([...path, '--help']);
      expect(r.code, path.join(' ')).toBe(0);
      expect(r.stdout, path.join(' ')).toBe(out.stdout.text);
    }
  });

  it('suggests the command meant, as the whole program does', async () => {
    const verb = await runCli(['deploy', 'lst']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain("unknown command 'lst'");
    expect(verb.stderr).toContain('(Did you mean one of list, ls?)');
    const group = await runCli(['deploi', 'list']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('(Did you mean deploy?)');
  });
});
