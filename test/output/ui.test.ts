import { describe, expect, it } from 'vitest';
import { makeUi } from './fixtures.js';

describe('createUi', () => {
  it('defaults to table, colour off on a pipe, not interactive', () => {
    const { ui } = makeUi();
    expect(ui.format).toBe('table');
    expect(ui.machine).toBe(false);
    expect(ui.color).toBe(false);
    expect(ui.quiet).toBe(false);
    expect(ui.interactive).toBe(false);
    expect(ui.outColors.green('ok')).toBe('ok');
  });

  it('treats --json as -o json, and json and yaml as machine formats', () => {
    expect(makeUi({ json: true, output: 'wide' }).ui.format).toBe('json');
    expect(makeUi({ output: 'yaml' }).ui.machine).toBe(true);
    expect(makeUi({ output: 'wide' }).ui.machine).toBe(false);
  });

  it('colours stdout on a terminal, and stderr on its own terms', () => {
    const { ui } = makeUi({}, { stdoutTTY: true });
    expect(ui.color).toBe(true);
    expect(ui.outColors.green('ok')).toBe('\u001b[32mok\u001b[39m');
    expect(ui.errColors.green('ok')).toBe('ok');
    const err = makeUi({}, { stderrTTY: true }).ui;
    expect(err.color).toBe(false);
    expect(err.errColors.red('x')).toBe('\u001b[31mx\u001b[39m');
  });

  it('follows FORCE_COLOR, NO_COLOR and --no-color', () => {
    expect(makeUi({}, { env: { FORCE_COLOR: '1' } }).ui.color).toBe(true);
    expect(makeUi({}, { env: { FORCE_COLOR: '0' }, stdoutTTY: true }).ui.color).toBe(false);
    expect(makeUi({}, { env: { NO_COLOR: '1' }, stdoutTTY: true }).ui.color).toBe(false);
    expect(makeUi({ color: false }, { env: { FORCE_COLOR: '1' }, stdoutTTY: true }).ui.color).toBe(false);
  });

  it('nests styles without losing the outer one', () => {
    const { ui } = makeUi({}, { stdoutTTY: true });
    expect(ui.outColors.bold(`a ${ui.outColors.dim('b')} c`)).toBe('\u001b[1ma \u001b[2mb\u001b[22m\u001b[1m c\u001b[22m');
    expect(ui.outColors.red('')).toBe('');
  });

  it('is interactive only with stdin and stderr terminals and without --no-input', () => {
    expect(makeUi({}, { stdinTTY: true, stderrTTY: true }).ui.interactive).toBe(true);
    expect(makeUi({}, { stdinTTY: true }).ui.interactive).toBe(false);
    expect(makeUi({}, { stderrTTY: true }).ui.interactive).toBe(false);
    expect(makeUi({ input: false }, { stdinTTY: true, stderrTTY: true }).ui.interactive).toBe(false);
  });
});

describe('narration', () => {
  function narrate(ui: ReturnType<typeof makeUi>['ui']): void {
    ui.out('result');
    ui.info('Listing…');
    ui.success('Stopped llama (378888638324150969)');
    ui.warn('NVIDIA_X is not a known GPU type');
    ui.next('Scaled llama (378888638324150969) to 4 workers.', 'yotta deploy workers 378888638324150969 --watch');
    ui.debug('http: GET /list → 200');
  }

  it('sends results to stdout and narration to stderr', () => {
    const { ui, stdout, stderr } = makeUi();
    narrate(ui);
    expect(stdout.text).toBe('result\n');
    expect(stderr.text).toBe(
      'Listing…\n' +
        'Stopped llama (378888638324150969)\n' +
        'Warning: NVIDIA_X is not a known GPU type\n' +
        'Scaled llama (378888638324150969) to 4 workers. Next: yotta deploy workers 378888638324150969 --watch\n',
    );
  });

  it('keeps only warnings under --quiet', () => {
    const { ui, stdout, stderr } = makeUi({ quiet: true });
    narrate(ui);
    expect(stdout.text).toBe('result\n');
    expect(stderr.text).toBe('Warning: NVIDIA_X is not a known GPU type\n');
  });

  it.each([[{ json: true }], [{ output: 'yaml' as const }]])('keeps only warnings with %j', (g) => {
    const { ui, stderr } = makeUi(g);
    narrate(ui);
    expect(stderr.text).toBe('Warning: NVIDIA_X is not a known GPU type\n');
  });

  it('shows --debug lines whatever else is set', () => {
    const { ui, stderr } = makeUi({ debug: true, quiet: true, json: true });
    ui.debug('http: GET /list → 200');
    expect(stderr.text).toBe('http: GET /list → 200\n');
  });

  it('marks success and colours labels when stderr is coloured', () => {
    const { ui, stderr } = makeUi({}, { stderrTTY: true });
    ui.success('Deleted llama');
    ui.warn('careful');
    ui.next('Done.', 'yotta deploy list');
    expect(stderr.text).toBe(
      '\u001b[32m✓\u001b[39m Deleted llama\n' +
        '\u001b[33mWarning:\u001b[39m careful\n' +
        'Done. Next: \u001b[36myotta deploy list\u001b[39m\n',
    );
  });

  it('does not add a second newline', () => {
    const { ui, stdout } = makeUi();
    ui.out('a\n');
    ui.out('');
    expect(stdout.text).toBe('a\n\n');
  });
});
