import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ApiError, NetworkError } from '../../src/errors.js';
import type { ActionResult } from '../../src/output/render.js';
import { printActionResults } from '../../src/output/render.js';
import { makeUi } from './fixtures.js';

const notAllowed = new ApiError(
  'Elastic action not allowed',
  { httpStatus: 200, code: 24002, serverMessage: 'Elastic action not allowed', method: 'DELETE', path: '/openapi/v1/elastic/deploy/378888638324150970' },
  'Stop it first: yotta deploy stop 378888638324150970',
);

const results: ActionResult[] = [
  { id: '378888638324150969', name: 'llama', action: 'stop', ok: true, status: 'STOPPING' },
  { id: '378888638324150970', name: 'batch', action: 'delete', ok: false, error: notAllowed },
  { id: '378888638324150971', action: 'scale', ok: true, detail: 'to 4 workers' },
  {
    id: '378888638324150972',
    action: 'start',
    ok: false,
    error: new NetworkError('connection reset', { method: 'POST', path: '/x', outcomeUnknown: true, timedOut: false, attempts: 1 }),
  },
];

describe('printActionResults', () => {
  it('narrates each id on stderr and prints nothing on stdout', async () => {
    const { ui, stdout, stderr } = makeUi();
    expect(await printActionResults(ui, results)).toEqual({ succeeded: 2, failed: 2 });
    expect(stdout.text).toBe('');
    expect(stderr.text).toMatchInlineSnapshot(`
      "Stopping llama (378888638324150969) — STOPPING
      Error: could not delete 378888638324150970 (batch): Elastic action not allowed
      Stop it first: yotta deploy stop 378888638324150970
      Scaled 378888638324150971 to 4 workers
      Error: could not start 378888638324150972: connection reset
      "
    `);
  });

  it('keeps only failures under --quiet', async () => {
    const { ui, stderr } = makeUi({ quiet: true });
    await printActionResults(ui, results);
    expect(stderr.text).not.toContain('Stopping');
    expect(stderr.text).toContain('Error: could not delete 378888638324150970 (batch)');
  });

  it('prints one JSON array with --json and nothing on stderr', async () => {
    const { ui, stdout, stderr } = makeUi({ json: true });
    await printActionResults(ui, results);
    expect(stderr.text).toBe('');
    expect(JSON.parse(stdout.text)).toEqual([
      { id: '378888638324150969', name: 'llama', action: 'stop', ok: true, status: 'STOPPING', error: null },
      {
        id: '378888638324150970',
        name: 'batch',
        action: 'delete',
        ok: false,
        status: null,
        error: {
          exitCode: 5,
          code: 24002,
          message: 'Elastic action not allowed',
          hint: 'Stop it first: yotta deploy stop 378888638324150970',
        },
      },
      { id: '378888638324150971', name: null, action: 'scale', ok: true, status: null, error: null },
      {
        id: '378888638324150972',
        name: null,
        action: 'start',
        ok: false,
        status: null,
        error: { exitCode: 7, code: null, message: 'connection reset' },
      },
    ]);
  });

  it('prints the same array as YAML with -o yaml', async () => {
    const json = makeUi({ json: true });
    const yaml = makeUi({ output: 'yaml' });
    await printActionResults(json.ui, results);
    await printActionResults(yaml.ui, results);
    expect(parseYaml(yaml.stdout.text)).toEqual(JSON.parse(json.stdout.text));
  });

  it('reports a non-Error failure and an unknown action', async () => {
    const { ui, stderr } = makeUi();
    await printActionResults(ui, [
      { id: '1', action: 'restart', ok: true },
      { id: '2', action: 'restart', ok: false, error: 'weird' },
      { id: '3', action: 'restart', ok: false },
    ]);
    expect(stderr.text).toBe('restart: 1\nError: could not restart 2: weird\nError: could not restart 3: failed\n');
  });
});
