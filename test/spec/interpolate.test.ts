/** ${VAR} interpolation: alone and inside spec files, with positions for unset variables. */
import { describe, expect, test } from 'vitest';
import { interpolate, parseSpecText } from '../../src/spec/index.js';
import { didYouMean, editDistance } from '../../src/spec/suggest.js';
import { specProblems } from './fixtures.js';

describe('interpolate', () => {
  const env = { TAG: 'v1', EMPTY: '' };
  test.each([
    ['no reference', 'plain $HOME text', 'plain $HOME text'],
    ['a set variable', 'img:${TAG}', 'img:v1'],
    ['a default for an unset variable', '${NOPE:-latest}', 'latest'],
    ['a default for an empty variable', '${EMPTY:-x}', 'x'],
    ['an empty default', '${NOPE:-}', ''],
    ['a set variable wins over its default', '${TAG:-x}', 'v1'],
    ['"-" keeps an empty variable', '${EMPTY-x}', ''],
    ['"-" defaults an unset variable', '${NOPE-x}', 'x'],
    ['$${ is a literal ${', 'echo $${HOME}', 'echo ${HOME}'],
    ['several references', '${TAG}-${TAG}', 'v1-v1'],
    ['a default with spaces and colons', '${NOPE:-a b:c}', 'a b:c'],
  ])('%s', (_what, text, want) => {
    expect(interpolate(text, env)).toEqual({ ok: true, value: want, changed: text.includes('${') });
  });

  test.each([
    ['an unset variable', '${NOPE}', 'environment variable NOPE is not set (set it, or give a default: ${NOPE:-default})'],
    ['a bad name', '${1X}', '"${1X}" is not a variable reference; use ${NAME} or ${NAME:-default} (or "$${" for a literal "${")'],
    ['an empty reference', '${}', '"${}" is not a variable reference; use ${NAME} or ${NAME:-default} (or "$${" for a literal "${")'],
    ['a shell operator', '${A:?x}', '"${A:?x}" is not a variable reference; use ${NAME} or ${NAME:-default} (or "$${" for a literal "${")'],
    ['no closing brace', 'x ${A', 'unterminated "${" (write "$${" for a literal "${")'],
  ])('%s is a problem', (_what, text, message) => {
    expect(interpolate(text, env)).toEqual({ ok: false, problems: [message] });
  });

  test('reads only the variables the text names, and runs nothing', () => {
    const read: string[] = [];
    const spy = new Proxy({ TAG: 'v1' } as Record<string, string | undefined>, {
      get(target, key) {
        read.push(String(key));
        return target[String(key)];
      },
    });
    expect(interpolate('$(rm -rf /) `id` ${TAG} $OTHER', spy)).toEqual({ ok: true, value: '$(rm -rf /) `id` v1 $OTHER', changed: true });
    expect(read).toEqual(['TAG']);
  });
});

describe('in a spec file', () => {
  const parse = (text: string, env: Record<string, string | undefined>) => parseSpecText(text, 'deploy.yaml', env);

  test('fills values from the environment, set or default', () => {
    const [doc] = parse('name: ${NAME}\nimage: vllm/vllm-openai:${TAG:-latest}\nenvironmentVars:\n  HF_TOKEN: ${HF_TOKEN:-}\n', { NAME: 'llama' });
    expect(doc!.spec).toEqual({ name: 'llama', image: 'vllm/vllm-openai:latest', environmentVars: [{ key: 'HF_TOKEN', value: '' }] });
  });

  test('an unset variable without a default is an error at its value, with every other one', () => {
    expect(specProblems(() => parse('name: llama\nimage: ${IMAGE}\nenvironmentVars:\n  - key: A\n    value: "${A}"\n', {}))).toEqual([
      'deploy.yaml:2:8: image: environment variable IMAGE is not set (set it, or give a default: ${IMAGE:-default})',
      'deploy.yaml:5:12: environmentVars[0].value: environment variable A is not set (set it, or give a default: ${A:-default})',
    ]);
  });

  test('an unquoted value is read as YAML would read it; a quoted one stays text', () => {
    expect(parse('workers: ${W:-3}\nminSingleCardVcpu: ${V}\n', { V: '0x10' })[0]!.spec).toEqual({ workers: 3, minSingleCardVcpu: 16 });
    expect(specProblems(() => parse('workers: "${W:-3}"\n', {}))).toEqual(['deploy.yaml:1:10: workers: must be an integer, got the text "3"']);
    expect(specProblems(() => parse('workers: ${W}\n', { W: 'lots' }))).toEqual(['deploy.yaml:1:10: workers: must be an integer, got the text "lots"']);
  });

  test('environment values and credential ids stay text after interpolation', () => {
    const [doc] = parse('credentialId: ${CRED}\nenvironmentVars:\n  PORT: ${PORT:-8080}\n', { CRED: '378888638324150969' });
    expect(doc!.spec).toEqual({ credentialId: '378888638324150969', environmentVars: [{ key: 'PORT', value: '8080' }] });
  });

  test('keys and $${ are left alone', () => {
    expect(parse('initializationCommand: echo $${HOME} ${X:-y}\n', {})[0]!.spec.initializationCommand).toBe('echo ${HOME} y');
    expect(specProblems(() => parse('${KEY}: x\n', { KEY: 'name' }))).toEqual(['deploy.yaml:1:1: unknown key "${KEY}"']);
  });

  test('a bad reference inside a block scalar is reported at the scalar', () => {
    expect(specProblems(() => parse('name: a\ninitializationCommand: |\n  run ${1}\n', {}))).toEqual([
      'deploy.yaml:2:24: initializationCommand: "${1}" is not a variable reference; use ${NAME} or ${NAME:-default} (or "$${" for a literal "${")',
    ]);
  });
});

describe('did you mean', () => {
  test('edit distance counts a swap of neighbours as one edit', () => {
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('imagee', 'image')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  test('suggests close keys, ignoring case, - and _, and nothing for far ones', () => {
    const keys = ['name', 'image', 'imageRegistry', 'workers', 'containerVolumeInGb', 'serviceMode'];
    expect(didYouMean('imagee', keys)).toBe('image');
    expect(didYouMean('Workers', keys)).toBe('workers');
    expect(didYouMean('service-mode', keys)).toBe('serviceMode');
    expect(didYouMean('container_volume_in_gb', keys)).toBe('containerVolumeInGb');
    expect(didYouMean('replicas', keys)).toBeUndefined();
    expect(didYouMean('x'.repeat(500), keys)).toBeUndefined();
  });
});
