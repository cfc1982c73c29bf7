import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { InStream } from '../../src/context.js';
import { readAllStdin, readHiddenLine } from '../../src/config/prompt.js';
import { InterruptedError, UsageError } from '../../src/errors.js';
import { makeCtx } from './util.js';

type TestStdin = PassThrough & InStream;

/** A stdin that looks like a terminal and records raw-mode switches. */
function ttyStdin(): TestStdin & { rawModes: boolean[] } {
  const s = new PassThrough() as TestStdin & { rawModes: boolean[] };
  s.isTTY = true;
  s.rawModes = [];
  s.setRawMode = (mode: boolean) => {
    s.rawModes.push(mode);
    return s;
  };
  return s;
}

function setup() {
  const stdin = ttyStdin();
  const ctx = { ...makeCtx(), stdin };
  return { ctx, stdin };
}

describe('readHiddenLine', () => {
  it('prompts on stderr, reads in raw mode, echoes nothing, and restores the terminal', async () => {
    const { ctx, stdin } = setup();
    const p = readHiddenLine(ctx, 'Paste your Yotta API key: ');
    stdin.write('yk-secret-');
    stdin.write('value-1234\r');
    await expect(p).resolves.toBe('yk-secret-value-1234');
    expect(ctx.stderr.text).toBe('Paste your Yotta API key: \n');
    expect(ctx.stdout.text).toBe('');
    expect(stdin.rawModes).toEqual([true, false]);
    expect(stdin.isPaused()).toBe(true);
  });

  it('handles backspace, Ctrl-U and escape sequences (arrows, bracketed paste)', async () => {
    const { ctx, stdin } = setup();
    const p = readHiddenLine(ctx, '> ');
    stdin.write('junk\u0015yk-abc\u007f\u007fXY\u001b[D\u001b[200~-pasted\u001b[201~\n');
    await expect(p).resolves.toBe('yk-aXY-pasted');
  });

  it('deletes a whole character (not half a surrogate pair) on backspace', async () => {
    const { ctx, stdin } = setup();
    const p = readHiddenLine(ctx, '> ');
    stdin.write('ab😀\u007f\r');
    await expect(p).resolves.toBe('ab');
  });

  it('throws InterruptedError on Ctrl-C and restores the terminal', async () => {
    const { ctx, stdin } = setup();
    const p = readHiddenLine(ctx, '> ');
    stdin.write('yk-part\u0003');
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('throws InterruptedError when the run is aborted while waiting', async () => {
    const controller = new AbortController();
    const { ctx, stdin } = setup();
    const p = readHiddenLine({ ...ctx, signal: controller.signal }, '> ');
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('finishes on Ctrl-D or end of input', async () => {
    const a = setup();
    const p1 = readHiddenLine(a.ctx, '> ');
    a.stdin.write('yk-1\u0004');
    await expect(p1).resolves.toBe('yk-1');
    const b = setup();
    const p2 = readHiddenLine(b.ctx, '> ');
    b.stdin.end('yk-2');
    await expect(p2).resolves.toBe('yk-2');
  });

  it('refuses when the terminal cannot hide input', async () => {
    const stdin = new PassThrough() as InStream;
    stdin.isTTY = true;
    await expect(readHiddenLine({ ...makeCtx(), stdin }, '> ')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('readAllStdin', () => {
  it('reads everything until end of input', async () => {
    const stdin = new PassThrough() as TestStdin;
    const p = readAllStdin({ ...makeCtx(), stdin });
    stdin.write('yk-');
    stdin.end('abc\n');
    await expect(p).resolves.toBe('yk-abc\n');
  });

  it('refuses more than an API key could be', async () => {
    const stdin = new PassThrough() as TestStdin;
    const p = readAllStdin({ ...makeCtx(), stdin });
    stdin.end('x'.repeat(70_000));
    await expect(p).rejects.toBeInstanceOf(UsageError);
  });

  it('stops on Ctrl-C', async () => {
    const controller = new AbortController();
    const stdin = new PassThrough() as TestStdin;
    const p = readAllStdin({ ...makeCtx(), stdin, signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });
});
