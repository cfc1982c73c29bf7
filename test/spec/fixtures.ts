/** Shared inputs of the spec tests: a valid spec, a live deployment, and a way to read a SpecError's lines. */
import { expect } from 'vitest';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { SpecError } from '../../src/errors.js';

/** A complete, valid spec (every line number below is relied on by tests). */
export const VALID = `name: llama-3-8b
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: 2
serviceMode: ALB
initializationCommand: vllm serve meta-llama/Llama-3.2-3B
environmentVars:
  HF_HOME: /data
expose:
  port: 8000
  protocol: HTTP
`;

/** A STOPPED deployment as the API returns it, read-only fields included. */
export function liveDeployment(over: Partial<ElasticDeploymentDetail> = {}): ElasticDeploymentDetail {
  return {
    id: '378888638324150969',
    name: 'llama-3-8b',
    creator: 'dev@example.com',
    domain: 'https://abcdefghijkl.yottadeos.com',
    image: 'vllm/vllm-openai:latest',
    resources: [
      {
        region: 'us-east-1',
        regionDisplayName: 'US East 1',
        gpuType: 'NVIDIA_H100_80G',
        gpuDisplayName: 'H100',
        gpuCount: 1,
        singleCardVramInGb: 80,
        singleCardVcpu: 16,
        singleCardRamInGb: 120,
      },
    ],
    minSingleCardVramInGb: 80,
    containerVolumeInGb: 100,
    initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
    environmentVars: [
      { key: 'HF_HOME', value: '/data' },
      { key: 'HF_TOKEN', value: 'hf_secret' },
    ],
    expose: { port: 8000, protocol: 'HTTP' },
    totalWorkers: 2,
    runningWorkers: 0,
    cost: '1.23',
    perSecondPrice: '0.001',
    perHourPrice: '3.70',
    serviceMode: 'ALB',
    status: 'STOPPED',
    ...over,
  };
}

/** The lines of the SpecError that `fn` throws (fails the test if it throws anything else or nothing). */
export function specProblems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).message.split('\n');
  }
  throw new Error('expected a SpecError, but nothing was thrown');
}

/** The message of the error `fn` throws. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, but nothing was thrown');
}
