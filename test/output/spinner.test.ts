import { describe, expect, it, vi } from 'vitest';
import { makeUi } from './fixtures.js';

describe('spinner', () => {
  it.each([
    ['stderr is not a terminal', {}, {}],
    ['--json', { json: true }, { stderrTTY: true }],
    ['-o yaml', { output: 'yaml' as const }, { stderrTTY: true }],
    ['--quiet', { quiet: true }, { stderrTTY: true }],
    ['NO_COLOR', {}, { stderrTTY: true, env: { NO_COLOR: '1' } }],
    ['NO_COLOR with FORCE_COLOR', {}, { stderrTTY: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }],
    ['TERM=dumb', {}, { stderrTTY: true, env: { TERM: 'dumb', FORCE_COLOR: '1' } }],
    ['--no-color', { color: false }, { stderrTTY: true }],
    ['FORCE_COLOR on a pipe', {}, { env: { FORCE_COLOR: '1' } }],
  ])('does not animate when %s', async (_name, g, run) => {
    const { ui, stdout, stderr } = makeUi(g, run);
    const s = ui.spinner('Waiting for llama…');
    s.text = 'Waiting for llama: 1/2 running';
    s.update('Waiting for llama: 2/2 running');
    expect(s.text).toBe('Waiting for llama: 2/2 running');
    await new Promise((r) => setTimeout(r, 50));
    s.stop();
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('');
  });

  it('turns succeed and fail into plain narration lines when not animating', () => {
    const { ui, stderr } = makeUi();
    ui.spinner('Waiting…').succeed('llama is RUNNING');
    ui.spinner('Waiting…').fail('llama turned FAILED');
    ui.spinner('Waiting for llama').succeed();
    expect(stderr.text).toBe('llama is RUNNING\nllama turned FAILED\nWaiting for llama\n');
  });

  it('writes nothing at all under --quiet or --json, final lines included', () => {
    for (const g of [{ quiet: true }, { json: true }]) {
      const { ui, stderr } = makeUi(g, { stderrTTY: true });
      ui.spinner('Waiting…').succeed('done');
      ui.spinner('Waiting…').fail('failed');
      expect(stderr.text).toBe('');
    }
  });

  it('ends once: later calls do nothing', () => {
    const { ui, stderr } = makeUi();
    const s = ui.spinner('Waiting…');
    s.succeed('done');
    s.fail('failed');
    s.stop();
    expect(stderr.text).toBe('done\n');
  });

  it('animates on a colour-capable stderr terminal and leaves the final line', async () => {
    const { ui, stdout, stderr } = makeUi({}, { stderrTTY: true });
    const s = ui.spinner('Waiting for llama');
    await vi.waitFor(() => expect(stderr.text).toContain('Waiting for llama'));
    s.text = 'Waiting for llama: 1/2 running';
    await vi.waitFor(() => expect(stderr.text).toContain('1/2 running'));
    s.succeed('llama is RUNNING');
    expect(stderr.text).toContain('\u001b[32m✓\u001b[39m llama is RUNNING\n');
    expect(stdout.text).toBe('');
  });

  it('stops on Ctrl-C so the error prints on a clean line', async () => {
    const controller = new AbortController();
    const { ui, stderr } = makeUi({}, { stderrTTY: true, signal: controller.signal });
    ui.spinner('Waiting for llama');
    await vi.waitFor(() => expect(stderr.text).toContain('Waiting for llama'));
    controller.abort();
    const length = stderr.text.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(stderr.text.length).toBe(length);
  });
});
