/** The spec flags: their definitions in help, and their conversion into a partial spec. */
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { addSpecFlags, specFromFlags } from '../../src/spec/index.js';
import { errorOf } from './fixtures.js';

function command(): Command {
  return addSpecFlags(new Command('create').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined }));
}

/** The spec that `yotta deploy create <args>` would get from its flags. */
function fromArgs(...args: string[]) {
  const cmd = command();
  cmd.parse(args, { from: 'user' });
  return specFromFlags(cmd.opts());
}

describe('addSpecFlags', () => {
  test('documents every flag in help', () => {
    const help = command().helpInformation();
    for (const flag of [
      '--name <name>',
      '--image <image>',
      '--image-registry <url>',
      '--gpu-type <code>',
      '--gpu-count <n>',
      '--region <region>',
      '--resource <region:gpuType:count>',
      '--workers <n>',
      '--service-mode <mode>',
      '--volume <gb>',
      '--init-cmd <command>',
      '--env <KEY=VALUE>',
      '--port <port>',
      '--credential-id <id>',
      '--min-vram <gb>',
      '--min-vcpu <n>',
      '--min-ram <gb>',
    ]) {
      expect(help).toContain(flag);
    }
  });
});

describe('specFromFlags', () => {
  test('maps every flag to its field', () => {
    expect(
      fromArgs(
        '--name', 'llama',
        '--image', 'vllm/vllm-openai:latest',
        '--image-registry', 'https://registry.example.com',
        '--workers', '3',
        '--service-mode', 'alb',
        '--volume', '100.5',
        '--init-cmd', 'vllm serve x',
        '--env', 'A=1',
        '--env', 'B=x=y',
        '--env', 'EMPTY=',
        '--port', '8000',
        '--credential-id', '378888638324150969',
        '--min-vram', '80',
        '--min-vcpu', '8',
        '--min-ram', '64',
      ),
    ).toEqual({
      name: 'llama',
      image: 'vllm/vllm-openai:latest',
      imageRegistry: 'https://registry.example.com',
      workers: 3,
      serviceMode: 'ALB',
      containerVolumeInGb: 100.5,
      initializationCommand: 'vllm serve x',
      environmentVars: [
        { key: 'A', value: '1' },
        { key: 'B', value: 'x=y' },
        { key: 'EMPTY', value: '' },
      ],
      expose: { port: 8000, protocol: 'HTTP' },
      credentialId: '378888638324150969',
      minSingleCardVramInGb: 80,
      minSingleCardVcpu: 8,
      minSingleCardRamInGb: 64,
    });
  });

  test('no flags give an empty spec', () => {
    expect(fromArgs()).toEqual({});
  });

  test('--env given twice for one name keeps the last', () => {
    expect(fromArgs('--env', 'A=1', '--env', 'A=2').environmentVars).toEqual([{ key: 'A', value: '2' }]);
  });

  test('--region, --gpu-type and --gpu-count make a resource patch; --resource makes resources', () => {
    expect(fromArgs('--region', 'us-east-1', '--gpu-type', 'NVIDIA_H100_80G', '--gpu-count', '2')).toEqual({
      resourcePatch: { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 },
    });
    expect(fromArgs('--gpu-count', '4')).toEqual({ resourcePatch: { gpuCount: 4 } });
    expect(fromArgs('--resource', 'us-east-1:NVIDIA_H100_80G:1', '--resource', 'eu-2:NVIDIA_H200_141G:1')).toEqual({
      resources: [
        { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
        { region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: 1 },
      ],
    });
  });

  test.each([
    [['--workers', 'two'], '--workers: "two" is not an integer'],
    [['--workers', '2.5'], '--workers: "2.5" is not an integer'],
    [['--workers', '99999999999999999999'], '--workers: "99999999999999999999" is not an integer'],
    [['--port', 'http'], '--port: "http" is not an integer'],
    [['--volume', 'NaN'], '--volume: "NaN" is not a number'],
    [['--volume', 'Infinity'], '--volume: "Infinity" is not a number'],
    [['--volume', '1e400'], '--volume: "1e400" is not a number'],
    [['--min-vram', '8GB'], '--min-vram: "8GB" is not an integer'],
    [['--gpu-count', 'x'], '--gpu-count: "x" is not an integer'],
    [['--service-mode', 'http'], '--service-mode: must be ALB, QUEUE or CUSTOM, got "http"'],
    [['--env', 'NOVALUE'], '--env: "NOVALUE" is not KEY=VALUE'],
    [['--env', '=x'], '--env: "=x" is not KEY=VALUE'],
    [['--resource', 'us-east-1:NVIDIA_H100_80G'], '--resource: "us-east-1:NVIDIA_H100_80G" is not region:gpuType:count (e.g. us-east-1:NVIDIA_H100_80G:1)'],
    [['--resource', 'us-east-1::1'], '--resource: "us-east-1::1" is not region:gpuType:count (e.g. us-east-1:NVIDIA_H100_80G:1)'],
    [['--resource', 'a:b:one'], '--resource: "a:b:one" is not region:gpuType:count (e.g. us-east-1:NVIDIA_H100_80G:1)'],
  ])('%j is a usage error naming the flag', (args, message) => {
    const err = errorOf(() => fromArgs(...args));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(message);
  });

  test('every bad flag is reported at once', () => {
    expect(errorOf(() => fromArgs('--workers', 'two', '--port', 'x', '--env', 'Y')).message).toBe(
      '--workers: "two" is not an integer\n--port: "x" is not an integer\n--env: "Y" is not KEY=VALUE',
    );
  });

  test.each([
    [['--resource', 'a:b:1', '--gpu-type', 'X']],
    [['--resource', 'a:b:1', '--region', 'r']],
    [['--resource', 'a:b:1', '--gpu-count', '2']],
  ])('--resource conflicts with the single-resource flags: %j', (args) => {
    const err = errorOf(() => fromArgs(...args));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      '--resource cannot be combined with --region, --gpu-type or --gpu-count; give every resource as --resource region:gpuType:count',
    );
  });

  test('accepts numbers as well as strings, for callers that build options themselves', () => {
    expect(specFromFlags({ workers: 2, port: 80, volume: 10 })).toEqual({
      workers: 2,
      expose: { port: 80, protocol: 'HTTP' },
      containerVolumeInGb: 10,
    });
  });
});
