/**
 * The human views must survive whatever the server sends: random arrays of random objects, with the
 * documented field names holding values of any type, never make a printer throw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { actionResultsJson, printDeployment, printDeployments, printMachine, printWorkers } from '../../src/output/render.js';
import type { ActionResult } from '../../src/output/render.js';
import { reportItemError } from '../../src/services/runner.js';
import { makeUi } from './fixtures.js';

const FIELDS = [
  'id', 'name', 'status', 'serviceMode', 'image', 'imageRegistry', 'creator', 'domain', 'credentialId',
  'runningWorkers', 'totalWorkers', 'resources', 'minSingleCardVramInGb', 'minSingleCardVcpu', 'minSingleCardRamInGb',
  'containerVolumeInGb', 'initializationCommand', 'environmentVars', 'expose', 'perHourPrice', 'perSecondPrice',
  'cost', 'region', 'regionDisplayName', 'gpuType', 'gpuDisplayName', 'gpuCount', 'singleCardVramInGb',
  'singleCardVcpu', 'singleCardRamInGb', 'uptime', 'key', 'value', 'port', 'protocol', 'toString', '__proto__',
];

const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('RUNNING', 'FAILED', 'INITIALIZE', 'STOPPED', '3.7000', '1e400', '-0', '', 'constructor'),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, scalar, tie('obj'), fc.array(tie('any'), { maxLength: 4 })),
  obj: fc.dictionary(fc.constantFrom(...FIELDS), tie('any'), { maxKeys: 12 }),
})).any;

const records = fc.array(fc.oneof(fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 20 }), value), { maxLength: 12 });

const formats = fc.constantFrom('table' as const, 'wide' as const);
const env = fc.constantFrom({}, { FORCE_COLOR: '1' });

describe('malformed data', () => {
  it('never makes the list, workers or get views throw, and never lets a control character through', async () => {
    await fc.assert(
      fc.asyncProperty(records, formats, env, fc.boolean(), fc.integer({ min: 1, max: 200 }), async (list, output, e, tty, width) => {
        const { ui, stdout } = makeUi({ output }, { env: e, stdoutTTY: tty });
        stdout.columns = width;
        await printDeployments(ui, list as ElasticDeploymentDetail[]);
        await printWorkers(ui, list as ElasticDeploymentWorkerDetail[]);
        for (const d of list) await printDeployment(ui, d as ElasticDeploymentDetail, { showEnv: true });
        // Colour codes are ours; anything else below U+0020 (but the line break), DEL or C1 came from the data.
        // eslint-disable-next-line no-control-regex
        const shown = stdout.text.replace(/\x1b\[[0-9;]*m/g, '');
        // eslint-disable-next-line no-control-regex
        expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        // Every view printed something for every record: a header at least.
        if (list.length > 0) expect(shown.split('\n').length).toBeGreaterThan(list.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never makes action results throw', async () => {
    const result = fc.record({
      id: fc.string(),
      name: fc.option(fc.string(), { nil: undefined }),
      action: fc.string(),
      ok: fc.boolean(),
      status: fc.option(fc.string(), { nil: undefined }),
      detail: fc.option(fc.string(), { nil: undefined }),
      error: value,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(result, { maxLength: 8 }), fc.constantFrom('table' as const, 'json' as const), async (rs, output) => {
        const { ui, stdout } = makeUi({ output });
        // What a multi-deployment command prints of its results: the JSON array, or an error line per failure.
        const results = rs as ActionResult[];
        if (!(await printMachine(ui, actionResultsJson(results)))) for (const r of results) if (!r.ok) reportItemError(ui, r.error);
        if (output === 'json') expect(Array.isArray(JSON.parse(stdout.text))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every row of a huge list, in order', async () => {
    const list = Array.from({ length: 5000 }, (_, i) => ({ id: String(378888638324150969n + BigInt(i)), name: `d${i}`, status: 'RUNNING' }));
    const { ui, stdout } = makeUi();
    await printDeployments(ui, list as unknown as ElasticDeploymentDetail[]);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(5001);
    expect(lines[1]!.startsWith('378888638324150969 ')).toBe(true);
    expect(lines[5000]!.startsWith(String(378888638324150969n + 4999n))).toBe(true);
  });
});
