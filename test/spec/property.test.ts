/**
 * Property tests: whatever text or values arrive, the spec module answers with a SpecError or
 * UsageError (or a result), never another exception, and quickly.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildCreateRequest, buildUpdateRequest, parseSpecText, specFromFlags } from '../../src/spec/index.js';
import { VALID, liveDeployment } from './fixtures.js';

const RUNS = 300;
/** Time one run may take; hostile inputs must be refused early, not worked through. */
const RUN_BUDGET_MS = 1000;

/** Parses `text` and, when it is valid, builds both request bodies; returns what was thrown, if anything. */
function exercise(text: string): void {
  const started = performance.now();
  try {
    const docs = parseSpecText(text, 'fuzz.yaml', { SET: 'value', EMPTY: '' });
    for (const doc of docs) {
      expect(typeof doc.positionOf(['resources', 0, 'gpuCount']).line).toBe('number');
      for (const build of [() => buildCreateRequest(doc, {}), () => buildUpdateRequest(liveDeployment(), doc, {})]) {
        try {
          build();
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
        }
      }
    }
  } catch (err) {
    // SpecError is a UsageError: every expected failure is one.
    if (!(err instanceof UsageError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
  expect(performance.now() - started).toBeLessThan(RUN_BUDGET_MS);
}

const YAML_PIECES = [
  'name', 'image', 'workers', 'resources', 'gpuCount', 'environmentVars', 'expose', 'port', 'serviceMode', 'key', 'value',
  ':', ': ', ' ', '  ', '\n', '\r\n', '\t', '- ', '-', '[', ']', '{', '}', ',', '"', "'", '#', '---', '...', '? ', '|', '>',
  '&a ', '*a', '&b ', '*b', '!!binary ', '!!str ', '!tag ', '%YAML 1.2\n', '${SET}', '${UNSET}', '${X:-1}', '$${', '${',
  '1', '2.5', '-1', '0x1F', '1e400', '.nan', '.inf', '~', 'null', 'true', 'ALB', 'alb', 'HTTP', '\uFEFF', '\u0000', '\\', 'é',
  '99999999999999999999', '<<: *a',
];

const yamlSoup = fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 80 }).map((parts) => parts.join(''));

/** A valid spec as values, to mutate. */
const VALID_VALUES: Record<string, unknown> = parseSpecText(VALID, 'valid.yaml', {})[0]!.spec as Record<string, unknown>;

const KEYS = [...Object.keys(VALID_VALUES), 'imageRegistry', 'credentialId', 'minSingleCardVramInGb', 'minSingleCardVcpu', 'minSingleCardRamInGb', 'imagee'];

/** A valid spec with one field replaced by anything, or removed, or a nested field broken. */
const mutatedSpec = fc
  .tuple(
    fc.constantFrom(...KEYS),
    fc.oneof(fc.anything({ maxDepth: 3 }), fc.constant(undefined), fc.double(), fc.integer(), fc.string()),
    fc.constantFrom('set', 'delete', 'nested'),
  )
  .map(([key, value, op]) => {
    const spec: Record<string, unknown> = structuredClone(VALID_VALUES);
    if (op === 'delete') delete spec[key];
    else if (op === 'set') spec[key] = value;
    else spec.resources = [{ region: 'r', gpuType: 'NVIDIA_H100_80G', gpuCount: 1, [key]: value }, value];
    return spec;
  });

/** A valid spec's text with a random cut, insertion or swap. */
const mutatedText = fc
  .tuple(fc.nat({ max: VALID.length }), fc.nat({ max: 40 }), fc.oneof(fc.constantFrom(...YAML_PIECES), fc.string({ maxLength: 8 })))
  .map(([at, cut, insert]) => VALID.slice(0, at) + insert + VALID.slice(Math.min(VALID.length, at + cut)));

describe('parseSpecText never throws anything but SpecError/UsageError, and returns quickly', () => {
  test('on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), exercise), { numRuns: RUNS });
  });

  test('on YAML-looking text', () => {
    fc.assert(fc.property(yamlSoup, exercise), { numRuns: RUNS });
  });

  test('on any JSON', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), exercise), { numRuns: RUNS });
  });

  test('on a valid spec with one field changed to anything', () => {
    fc.assert(
      fc.property(mutatedSpec, (spec) => {
        let yamlText: string;
        try {
          yamlText = stringify(spec);
        } catch {
          // Some generated values have no YAML form; their JSON form is tested below.
          yamlText = '';
        }
        if (yamlText) exercise(yamlText);
        const json = JSON.stringify(spec);
        if (json !== undefined) exercise(json);
      }),
      { numRuns: RUNS },
    );
  });

  test('on a valid spec text with random edits', () => {
    fc.assert(fc.property(mutatedText, exercise), { numRuns: RUNS });
  });
});

describe('flags never throw anything but UsageError', () => {
  const flagValue = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('0', '1', '-1', '2.5', '1e400', 'NaN', 'alb', 'a:b:1', 'K=V', '70000'));
  const optionNames = ['name', 'image', 'imageRegistry', 'region', 'gpuType', 'gpuCount', 'workers', 'serviceMode', 'volume', 'initCmd', 'port', 'credentialId', 'minVram', 'minVcpu', 'minRam'];
  const opts = fc.record(
    {
      ...Object.fromEntries(optionNames.map((n) => [n, flagValue])),
      env: fc.array(flagValue, { maxLength: 3 }),
      resource: fc.array(flagValue, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );

  test('from parsing to the create and update bodies', () => {
    fc.assert(
      fc.property(opts, (o) => {
        try {
          const flags = specFromFlags(o as Record<string, unknown>);
          for (const build of [
            () => buildCreateRequest(undefined, flags),
            () => buildCreateRequest(parseSpecText(VALID, 'valid.yaml', {})[0], flags),
            () => buildUpdateRequest(liveDeployment(), undefined, flags),
          ]) {
            try {
              build();
            } catch (err) {
              if (!(err instanceof UsageError)) throw err;
            }
          }
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
