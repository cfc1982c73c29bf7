/** readSpecFile: paths relative to the working directory, stdin, and files that cannot be read. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SpecError, UsageError } from '../../src/errors.js';
import { MAX_SPEC_BYTES, readSpecFile } from '../../src/spec/index.js';
import { tempDir, testContext } from '../helpers/cli.js';
import { VALID } from './fixtures.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('readSpecFile', () => {
  test('reads a path relative to ctx.cwd and names it as typed', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'specs'));
    writeFileSync(join(dir, 'specs', 'app.yaml'), 'name: a\nworkers: -1\n');
    const { ctx } = testContext({ cwd: dir });
    const err = await rejection(readSpecFile('specs/app.yaml', ctx));
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toBe('specs/app.yaml:2:10: workers: must be at least 0, got -1');
  });

  test('reads an absolute path and environment variables from the context', async () => {
    const dir = tempDir();
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, 'name: ${APP}\n');
    const { ctx } = testContext({ cwd: '/', env: { APP: 'from-env' } });
    const [doc] = await readSpecFile(file, ctx);
    expect(doc).toMatchObject({ file, spec: { name: 'from-env' } });
  });

  test('"-" reads stdin, shown as <stdin>', async () => {
    const { ctx } = testContext({ stdin: VALID });
    const docs = await readSpecFile('-', ctx);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.file).toBe('<stdin>');
    expect(docs[0]!.spec.name).toBe('llama-3-8b');
    const bad = testContext({ stdin: 'workers: many\n' });
    expect((await rejection(readSpecFile('-', bad.ctx))).message).toBe('<stdin>:1:10: workers: must be an integer, got the text "many"');
  });

  test('a missing file is a usage error naming the path', async () => {
    const { ctx } = testContext({ cwd: tempDir() });
    const err = await rejection(readSpecFile('nope.yaml', ctx));
    expect(err).toBeInstanceOf(UsageError);
    expect(err).not.toBeInstanceOf(SpecError);
    expect(err.message).toBe('spec file nope.yaml not found');
  });

  test('a directory is a usage error', async () => {
    const dir = tempDir();
    const { ctx } = testContext({ cwd: dir });
    const err = await rejection(readSpecFile('.', ctx));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('spec file . is a directory');
  });

  // root reads any file whatever its mode, so an unreadable file can only be made for a normal user.
  test.skipIf(process.getuid?.() === 0)('an unreadable file is a usage error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.yaml'), VALID);
    chmodSync(join(dir, 'secret.yaml'), 0o000);
    const { ctx } = testContext({ cwd: dir });
    const err = await rejection(readSpecFile('secret.yaml', ctx));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('cannot read spec file secret.yaml: permission denied');
  });

  test('a file that is too large is refused before it is read', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.yaml'), Buffer.alloc(MAX_SPEC_BYTES + 1, 0x20));
    const { ctx } = testContext({ cwd: dir });
    const err = await rejection(readSpecFile('big.yaml', ctx));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`spec file big.yaml is too large (${MAX_SPEC_BYTES + 1} bytes; at most ${MAX_SPEC_BYTES})`);
    const stdin = testContext({ stdin: ' '.repeat(MAX_SPEC_BYTES + 1) });
    expect((await rejection(readSpecFile('-', stdin.ctx))).message).toBe(`the spec on standard input is too large (more than ${MAX_SPEC_BYTES} bytes)`);
  });

  test('binary data is not a spec; UTF-16 with a BOM and UTF-8 with a BOM are', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0x6e, 0x3a, 0x20, 0xff, 0xfe, 0xfd, 0x00, 0xc3]));
    writeFileSync(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name: wide\n', 'utf16le')]));
    writeFileSync(join(dir, 'bom.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name: bom\r\nworkers: 1\r\n')]));
    const { ctx } = testContext({ cwd: dir });
    expect((await rejection(readSpecFile('bin.yaml', ctx))).message).toBe('spec file bin.yaml is not UTF-8 text');
    expect((await readSpecFile('utf16.yaml', ctx))[0]!.spec).toEqual({ name: 'wide' });
    expect((await readSpecFile('bom.yaml', ctx))[0]!.spec).toEqual({ name: 'bom', workers: 1 });
  });
});
