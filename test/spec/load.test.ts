/** parseSpecText: every kind of problem, reported at its line:col, all at once; normalisation; multi-document files. */
import { describe, expect, test } from 'vitest';
import { SpecError, UsageError } from '../../src/errors.js';
import { MAX_SPEC_BYTES, parseSpecText, singleDoc } from '../../src/spec/index.js';
import { VALID, errorOf, specProblems } from './fixtures.js';

const parse = (text: string, env: Record<string, string | undefined> = {}) => parseSpecText(text, 'deploy.yaml', env);

const resources = (...counts: number[]) =>
  `resources:\n${counts.map((c, i) => `  - region: r${i}\n    gpuType: NVIDIA_H100_80G\n    gpuCount: ${c}\n`).join('')}`;

describe('each problem, at its position', () => {
  // [what, spec text, the exact problem lines]
  const cases: Array<[string, string, string[]]> = [
    ['a duplicate key', 'name: a\nimage: b\nname: c\n', ['deploy.yaml:3:1: duplicate key "name"']],
    ['a duplicate quoted key in a flow mapping', 'expose: {port: 80, "port": 81}\n', ['deploy.yaml:1:20: duplicate key "port"']],
    [
      'a missing key of a resource (at the mapping that lacks it)',
      'resources:\n  - region: us-east-1\n    gpuType: NVIDIA_H100_80G\n',
      ['deploy.yaml:2:5: resources[0]: missing required key "gpuCount"'],
    ],
    ['a fractional count', 'workers: 2.5\n', ['deploy.yaml:1:10: workers: must be an integer, got 2.5']],
    ['a quoted number', 'workers: "2"\n', ['deploy.yaml:1:10: workers: must be an integer, got the text "2"']],
    ['a list for a string', 'image: [a]\n', ['deploy.yaml:1:8: image: must be a string, got a list']],
    ['a mapping for a list', 'resources: {region: x}\n', ['deploy.yaml:1:12: resources: must be a list, got a mapping']],
    ['an unknown key with a suggestion', 'imagee: x\n', ['deploy.yaml:1:1: unknown key "imagee" (did you mean "image"?)']],
    ['a snake_case key', 'container_volume_in_gb: 5\n', ['deploy.yaml:1:1: unknown key "container_volume_in_gb" (did you mean "containerVolumeInGb"?)']],
    ['an unknown key without a near match', 'colour: red\n', ['deploy.yaml:1:1: unknown key "colour"']],
    [
      'an unknown key inside a resource',
      'resources:\n  - region: r\n    gpu_type: X\n    gpuCount: 1\n',
      ['deploy.yaml:2:5: resources[0]: missing required key "gpuType"', 'deploy.yaml:3:5: resources[0]: unknown key "gpu_type" (did you mean "gpuType"?)'],
    ],
    ['an unknown service mode', 'serviceMode: LB\n', ['deploy.yaml:1:14: serviceMode: must be ALB, QUEUE or CUSTOM, got "LB"']],
    ['a number for the service mode', 'serviceMode: 1\n', ['deploy.yaml:1:14: serviceMode: must be a string, got 1']],
    [
      'resources with different gpuCount',
      resources(1, 2, 1),
      ['deploy.yaml:7:15: resources[1].gpuCount: every resource must have the same gpuCount (resources[0] has 1), got 2'],
    ],
    ['a zero gpuCount', resources(0), ['deploy.yaml:4:15: resources[0].gpuCount: must be at least 1, got 0']],
    ['a fractional gpuCount', resources(1.5), ['deploy.yaml:4:15: resources[0].gpuCount: must be an integer, got 1.5']],
    ['no resources', 'resources: []\n', ['deploy.yaml:1:12: resources: must have at least 1 entry']],
    ['port 0', 'expose:\n  port: 0\n', ['deploy.yaml:2:9: expose.port: must be at least 1, got 0']],
    ['port 65536', 'expose:\n  port: 65536\n', ['deploy.yaml:2:9: expose.port: must be at most 65535, got 65536']],
    ['a protocol other than HTTP', 'expose:\n  port: 80\n  protocol: TCP\n', ['deploy.yaml:3:13: expose.protocol: must be HTTP, got "TCP"']],
    ['expose without a port', 'expose:\n  protocol: HTTP\n', ['deploy.yaml:2:3: expose: missing required key "port"']],
    [
      'a name starting with a digit',
      'name: 9lives\n',
      ['deploy.yaml:1:7: name: must start with a letter and contain only letters, digits and @._-, got "9lives"'],
    ],
    [
      'a name with a space',
      'name: my app\n',
      ['deploy.yaml:1:7: name: must start with a letter and contain only letters, digits and @._-, got "my app"'],
    ],
    ['a name of 51 characters', `name: a${'b'.repeat(50)}\n`, ['deploy.yaml:1:7: name: must be at most 50 characters long, got 51']],
    ['an empty image', "image: ''\n", ['deploy.yaml:1:8: image: must not be empty']],
    ['an image of 256 characters', `image: ${'i'.repeat(256)}\n`, ['deploy.yaml:1:8: image: must be at most 255 characters long, got 256']],
    ['minSingleCardVramInGb over 1536', 'minSingleCardVramInGb: 1537\n', ['deploy.yaml:1:24: minSingleCardVramInGb: must be at most 1536, got 1537']],
    ['a negative minSingleCardRamInGb', 'minSingleCardRamInGb: -1\n', ['deploy.yaml:1:23: minSingleCardRamInGb: must be at least 0, got -1']],
    ['a fractional minSingleCardRamInGb', 'minSingleCardRamInGb: 1.5\n', ['deploy.yaml:1:23: minSingleCardRamInGb: must be an integer, got 1.5']],
    ['a negative minSingleCardVcpu', 'minSingleCardVcpu: -2\n', ['deploy.yaml:1:20: minSingleCardVcpu: must be at least 0, got -2']],
    ['a zero volume', 'containerVolumeInGb: 0\n', ['deploy.yaml:1:22: containerVolumeInGb: must be greater than 0, got 0']],
    ['a volume with a unit', 'containerVolumeInGb: 100GB\n', ['deploy.yaml:1:22: containerVolumeInGb: must be a number, got the text "100GB"']],
    ['negative workers', 'workers: -1\n', ['deploy.yaml:1:10: workers: must be at least 0, got -1']],
    ['a huge number', 'workers: 1e400\n', ['deploy.yaml:1:10: workers: must be a finite number, got Infinity']],
    ['an integer past 2^53', 'workers: 123456789012345678901\n', ['deploy.yaml:1:10: workers: is too large, got 123456789012345680000']],
    ['a past-2^53 integer with its own maximum', 'minSingleCardVramInGb: 99999999999999999999\n', ['deploy.yaml:1:24: minSingleCardVramInGb: must be at most 1536, got 100000000000000000000']],
    ['.nan', 'containerVolumeInGb: .nan\n', ['deploy.yaml:1:22: containerVolumeInGb: must be a finite number, got NaN']],
    ['-.inf', 'containerVolumeInGb: -.inf\n', ['deploy.yaml:1:22: containerVolumeInGb: must be a finite number, got -Infinity']],
    ['the text NaN', 'containerVolumeInGb: NaN\n', ['deploy.yaml:1:22: containerVolumeInGb: must be a number, got the text "NaN"']],
    ['the text Infinity', 'workers: Infinity\n', ['deploy.yaml:1:10: workers: must be an integer, got the text "Infinity"']],
    ['binary data', 'image: !!binary aGk=\n', ['deploy.yaml:1:17: image: must be a string, got binary data']],
    ['a list at the top', '- a\n', ['deploy.yaml:1:1: the top level must be a mapping of keys such as "name: my-app", got a list']],
    ['text at the top', 'hello\n', ['deploy.yaml:1:1: the top level must be a mapping of keys such as "name: my-app", got the text "hello"']],
    ['null at the top', '~\n', ['deploy.yaml:1:1: the top level must be a mapping of keys such as "name: my-app", got an empty value']],
    ['an empty file', '', ['deploy.yaml:1:1: the file is empty; expected a mapping such as "name: my-app"']],
    ['a file of comments', '# nothing yet\n\n', ['deploy.yaml:1:1: the file is empty; expected a mapping such as "name: my-app"']],
    ['only document markers', '---\n---\n', ['deploy.yaml:1:1: the file is empty; expected a mapping such as "name: my-app"']],
    [
      'an empty variable value',
      'environmentVars:\n  A:\n',
      ['deploy.yaml:2:3: environmentVars.A: must be a string, a number or a boolean, got an empty value'],
    ],
    [
      'a variable listed twice',
      'environmentVars:\n  - {key: A, value: x}\n  - {key: A, value: y}\n',
      ['deploy.yaml:3:11: environmentVars[1].key: duplicate variable "A"'],
    ],
    ['a list entry without a value', 'environmentVars:\n  - key: A\n', ['deploy.yaml:2:5: environmentVars[0]: missing required key "value"']],
    ['environmentVars of the wrong type', 'environmentVars: 5\n', ['deploy.yaml:1:18: environmentVars: must be a list or a mapping, got 5']],
    [
      'an unknown alias',
      'image: *nope\n',
      ['deploy.yaml:1:8: image: unknown alias "*nope" (define &nope before using it)'],
    ],
    ['a list as a key', '? [a, b]\n: c\n', ['deploy.yaml:1:3: keys must be plain text, not a list or mapping']],
    ['deep flow nesting', `a: ${'['.repeat(100)}`, ['deploy.yaml:1:68: nested too deeply (more than 64 levels of [ ] or { })']],
    [
      'too many aliases',
      `a: &a x\n${Array.from({ length: 101 }, (_, i) => `k${i}: *a`).join('\n')}\n`,
      ['deploy.yaml:102:7: too many aliases (more than 100 uses of *name)'],
    ],
    [
      'an alias bomb',
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
      ['deploy.yaml:5:5: the document expands to more than 10000 values (too many aliases?)'],
    ],
    [
      'a self-referencing alias',
      'a: &a [*a]\n',
      ['deploy.yaml:1:1: unknown key "a"', `deploy.yaml:1:7: a${'[0]'.repeat(16)}: nested too deeply (more than 32 levels)`],
    ],
  ];

  test.each(cases)('%s', (_what, text, expected) => {
    expect(specProblems(() => parse(text))).toEqual(expected);
  });

  test('YAML syntax errors, with their position', () => {
    const lines = specProblems(() => parse('name: a\nimage: [unclosed\nworkers: 1\n'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^deploy\.yaml:\d+:\d+: invalid YAML: \S/);
    expect(specProblems(() => parse('name: a\n  bad: indent\n'))).toEqual([
      'deploy.yaml:1:7: invalid YAML: Nested mappings are not allowed in compact mappings',
      'deploy.yaml:1:7: invalid YAML: Implicit keys need to be on a single line',
    ]);
    expect(specProblems(() => parse('a:\n\tb: 1\n'))[0]).toMatch(/^deploy\.yaml:2:1: invalid YAML: .*[Tt]ab/);
  });

  test('deep block nesting is refused, not a stack overflow', () => {
    const text = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}a:`).join('\n');
    const lines = specProblems(() => parse(text));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('deploy.yaml:1:1: unknown key "a"');
    expect(lines[1]).toMatch(/^deploy\.yaml:34:\d+: a(\.a)+: nested too deeply \(more than 32 levels\)$/);
    const deeper = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    expect(specProblems(() => parse(deeper))[0]).toMatch(/^deploy\.yaml:\d+:\d+: nested too deeply/);
  });

  test('a file with very many problems lists the first 50 and counts the rest', () => {
    const text = Array.from({ length: 80 }, (_, i) => `unknown${i}: x`).join('\n');
    const lines = specProblems(() => parse(text));
    expect(lines).toHaveLength(51);
    expect(lines[0]).toBe('deploy.yaml:1:1: unknown key "unknown0"');
    expect(lines[50]).toBe('deploy.yaml: 30 more problems not shown');
  });

  test('a worst-case file within the limits is answered quickly', () => {
    // Close to the key limit, every key a near miss that asks for a suggestion, every value an unset variable.
    const text = Array.from({ length: 1990 }, (_, i) => `imagee${String(i).padStart(40, '0')}: \${UNSET_${i}} \${X:-1}`).join('\n');
    const started = performance.now();
    expect(specProblems(() => parse(text))).toHaveLength(51);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test.each([
    ['list entries', `a: [${'1,'.repeat(10_001)}]`, 'deploy.yaml:1:20006: too many list entries (more than 10000)'],
    ['block list entries', `a:\n${'- 1\n'.repeat(10_001)}`, 'deploy.yaml:10002:1: too many list entries (more than 10000)'],
    ['documents', 'a: 1\n---\n'.repeat(1000), 'deploy.yaml:202:1: too many documents (more than 100 separated by ---)'],
  ])('too many %s are refused before yaml builds them', (_what, text, message) => {
    const started = performance.now();
    expect(specProblems(() => parse(text))).toEqual([message]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('too many keys are refused before yaml checks them for duplicates', () => {
    const text = Array.from({ length: 2001 }, (_, i) => `k${i}: x`).join('\n');
    expect(specProblems(() => parse(text))).toEqual(['deploy.yaml:2001:6: too many keys (more than 2000); a deployment spec has a few dozen']);
  });

  test('a file over the size limit', () => {
    expect(specProblems(() => parse(`# ${'x'.repeat(MAX_SPEC_BYTES)}\n`))).toEqual([
      `deploy.yaml:1:1: the file is too large (more than ${MAX_SPEC_BYTES} bytes); a spec is a few hundred`,
    ]);
  });
});

describe('every problem at once', () => {
  test('one error lists all problems of the file in order', () => {
    const text = [
      'name: 9lives', //                                  1
      'imagee: vllm', //                                  2
      'resources:', //                                    3
      '  - region: us-east-1', //                         4
      '    gpuType: NVIDIA_H100_80G', //                  5
      '    gpuCount: 1', //                               6
      '  - region: us-west-1', //                         7
      '    gpuType: NVIDIA_H100_80G', //                  8
      '    gpuCount: 2', //                               9
      'workers: 2.5', //                                  10
      'serviceMode: lb', //                               11
      'environmentVars:', //                              12
      '  TOKEN: ${MISSING}', //                           13
      'expose: {port: 70000, protocol: tcp}', //          14
      'imagee: again', //                                 15
    ].join('\n');
    const err = errorOf(() => parse(text));
    expect(err).toBeInstanceOf(SpecError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as SpecError).exitCode).toBe(2);
    expect(err.message).toBe(
      [
        'deploy.yaml:1:7: name: must start with a letter and contain only letters, digits and @._-, got "9lives"',
        'deploy.yaml:2:1: unknown key "imagee" (did you mean "image"?)',
        'deploy.yaml:9:15: resources[1].gpuCount: every resource must have the same gpuCount (resources[0] has 1), got 2',
        'deploy.yaml:10:10: workers: must be an integer, got 2.5',
        'deploy.yaml:11:14: serviceMode: must be ALB, QUEUE or CUSTOM, got "lb"',
        'deploy.yaml:13:10: environmentVars.TOKEN: environment variable MISSING is not set (set it, or give a default: ${MISSING:-default})',
        'deploy.yaml:14:16: expose.port: must be at most 65535, got 70000',
        'deploy.yaml:14:33: expose.protocol: must be HTTP, got "tcp"',
        'deploy.yaml:15:1: duplicate key "imagee"',
      ].join('\n'),
    );
    expect((err as SpecError).problems[0]).toEqual({
      file: 'deploy.yaml',
      line: 1,
      col: 7,
      message: 'name: must start with a letter and contain only letters, digits and @._-, got "9lives"',
    });
  });

  test('positions survive a BOM and CRLF line ends', () => {
    const text = '\uFEFFname: a\r\nworkers: 2.5\r\nimagee: b\r\n';
    expect(specProblems(() => parse(text))).toEqual([
      'deploy.yaml:2:10: workers: must be an integer, got 2.5',
      'deploy.yaml:3:1: unknown key "imagee" (did you mean "image"?)',
    ]);
    const ok = parse('\uFEFFname: a\r\nimage: b\r\n');
    expect(ok[0]!.spec).toEqual({ name: 'a', image: 'b' });
  });
});

describe('normalisation', () => {
  test('a valid spec is returned as written, environmentVars as a list', () => {
    const [doc] = parse(VALID);
    expect(doc!.file).toBe('deploy.yaml');
    expect(doc!.index).toBe(0);
    expect(doc!.warnings).toEqual([]);
    expect(doc!.spec).toEqual({
      name: 'llama-3-8b',
      image: 'vllm/vllm-openai:latest',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      containerVolumeInGb: 100,
      workers: 2,
      serviceMode: 'ALB',
      initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
      environmentVars: [{ key: 'HF_HOME', value: '/data' }],
      expose: { port: 8000, protocol: 'HTTP' },
    });
  });

  test('serviceMode and protocol in any case come out upper-case; protocol defaults to HTTP', () => {
    expect(parse('serviceMode: queue\nexpose: {port: 80, protocol: http}\n')[0]!.spec).toEqual({
      serviceMode: 'QUEUE',
      expose: { port: 80, protocol: 'HTTP' },
    });
    expect(parse('serviceMode: Custom\nexpose: {port: 80}\n')[0]!.spec).toEqual({ serviceMode: 'CUSTOM', expose: { port: 80, protocol: 'HTTP' } });
  });

  test('environmentVars as a mapping and as a list give the same list', () => {
    const map = parse('environmentVars:\n  HF_HOME: /data\n  PORT: 8080\n  DEBUG: true\n  RATIO: 1.10\n  HEX: 0x1F\n')[0]!.spec;
    expect(map.environmentVars).toEqual([
      { key: 'HF_HOME', value: '/data' },
      { key: 'PORT', value: '8080' },
      { key: 'DEBUG', value: 'true' },
      // Plain numbers keep the text written, not a re-printed number.
      { key: 'RATIO', value: '1.10' },
      { key: 'HEX', value: '0x1F' },
    ]);
    const list = parse('environmentVars:\n  - key: HF_HOME\n    value: /data\n  - {key: PORT, value: 8080}\n')[0]!.spec;
    expect(list.environmentVars).toEqual([
      { key: 'HF_HOME', value: '/data' },
      { key: 'PORT', value: '8080' },
    ]);
  });

  test('a credential id written as a bare 18-digit number keeps every digit', () => {
    expect(parse('credentialId: 378888638324150969\n')[0]!.spec.credentialId).toBe('378888638324150969');
  });

  test('JSON is YAML too', () => {
    const [doc] = parse(JSON.stringify({ name: 'a', workers: 3, environmentVars: { A: 'b' } }));
    expect(doc!.spec).toEqual({ name: 'a', workers: 3, environmentVars: [{ key: 'A', value: 'b' }] });
  });

  test('anchors and aliases resolve', () => {
    const [doc] = parse('resources:\n  - &h100 {region: a, gpuType: NVIDIA_H100_80G, gpuCount: 1}\n  - *h100\n');
    expect(doc!.spec.resources).toEqual([
      { region: 'a', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
      { region: 'a', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
    ]);
  });

  test('a __proto__ key is an unknown key, not a prototype', () => {
    expect(specProblems(() => parse('__proto__: {name: x}\n'))).toEqual(['deploy.yaml:1:1: unknown key "__proto__"']);
  });
});

describe('warnings', () => {
  test('an unknown GPU type is a warning with its position and a suggestion, not an error', () => {
    const [doc] = parse('resources:\n  - region: us-east-1\n    gpuType: NVIDIA_H100_80GB\n    gpuCount: 1\n');
    expect(doc!.spec.resources![0]!.gpuType).toBe('NVIDIA_H100_80GB');
    expect(doc!.warnings).toEqual([
      'deploy.yaml:3:14: resources[0].gpuType: unknown GPU type "NVIDIA_H100_80GB" (did you mean "NVIDIA_H100_80G"?); it is sent as written (`yotta gpus` lists the known types)',
    ]);
  });

  test('a GPU count that is not a power of two is a warning', () => {
    const [doc] = parse(resources(3));
    expect(doc!.warnings).toEqual([
      "deploy.yaml:4:15: resources[0].gpuCount: 3 is not a power of two; Yotta's docs give GPU counts as powers of two (1, 2, 4, 8)",
    ]);
  });

  test("yaml's own warnings (an unknown tag) are passed on with their position", () => {
    const [doc] = parse('name: a\nimage: !custom vllm\n');
    expect(doc!.spec.image).toBe('vllm');
    expect(doc!.warnings).toEqual(['deploy.yaml:2:8: Unresolved tag: !custom']);
  });
});

describe('positionOf', () => {
  test('finds values, keys of empty values, and missing keys at their mapping', () => {
    const [doc] = parse(VALID);
    expect(doc!.positionOf(['workers'])).toEqual({ line: 8, col: 10 });
    expect(doc!.positionOf(['resources', 0, 'gpuType'])).toEqual({ line: 5, col: 14 });
    expect(doc!.positionOf(['expose', 'port'])).toEqual({ line: 14, col: 9 });
    expect(doc!.positionOf(['minSingleCardVcpu'])).toEqual({ line: 1, col: 1 });
    expect(doc!.positionOf(['resources', 5, 'gpuType'])).toEqual({ line: 4, col: 3 });
  });

  test('addresses a mapping of environment variables by list index too', () => {
    const [doc] = parse('environmentVars:\n  A: x\n  B: y\n');
    expect(doc!.positionOf(['environmentVars', 1, 'value'])).toEqual({ line: 3, col: 6 });
    expect(doc!.positionOf(['environmentVars', 1, 'key'])).toEqual({ line: 3, col: 3 });
    expect(doc!.positionOf(['environmentVars', 'B'])).toEqual({ line: 3, col: 6 });
  });
});

describe('multi-document files', () => {
  const two = `${VALID}---\nname: second\nworkers: 1\n---\n`;

  test('give one ParsedSpecDoc per document; a trailing empty document is skipped', () => {
    const docs = parse(two);
    expect(docs.map((d) => [d.index, d.spec.name])).toEqual([
      [0, 'llama-3-8b'],
      [1, 'second'],
    ]);
    expect(docs[1]!.positionOf(['workers'])).toEqual({ line: 18, col: 10 });
  });

  test('report the problems of every document with file positions', () => {
    expect(specProblems(() => parse('workers: -1\n---\nworkers: x\n'))).toEqual([
      'deploy.yaml:1:10: workers: must be at least 0, got -1',
      'deploy.yaml:3:10: workers: must be an integer, got the text "x"',
    ]);
  });

  test('singleDoc refuses several documents with a clear message', () => {
    const err = errorOf(() => singleDoc(parse(two)));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('deploy.yaml holds 2 documents (separated by ---); `yotta deploy create` takes one');
    expect((err as UsageError).hint).toBe('Use `yotta deploy apply -f deploy.yaml` for several deployments, or split the file.');
    expect(singleDoc(parse(VALID)).spec.name).toBe('llama-3-8b');
  });
});
