/** The committed JSON Schema matches the zod schema, and the example spec is valid. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildCreateRequest, deploySpecJsonSchema, parseSpecText, singleDoc } from '../../src/spec/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaPath = `${root}src/spec/deploy.schema.json`;
const examplePath = `${root}deploy.example.yaml`;

describe('deploy.schema.json', () => {
  test('is the JSON Schema generated from the zod schema', () => {
    const generated = `${JSON.stringify(deploySpecJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaPath, generated);
    let committed = '';
    try {
      committed = readFileSync(schemaPath, 'utf8');
    } catch {
      // Reported by the assertion below.
    }
    expect(committed, 'src/spec/deploy.schema.json is stale; regenerate it with: UPDATE_SCHEMA=1 npx vitest run test/spec/schema.test.ts').toBe(generated);
  });

  test('describes every field of the spec and rejects unknown ones', () => {
    const schema = deploySpecJsonSchema() as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual([
      'name',
      'image',
      'imageRegistry',
      'resources',
      'minSingleCardVramInGb',
      'minSingleCardVcpu',
      'minSingleCardRamInGb',
      'containerVolumeInGb',
      'credentialId',
      'credential',
      'workers',
      'serviceMode',
      'initializationCommand',
      'environmentVars',
      'expose',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('deploy.example.yaml', () => {
  const text = readFileSync(examplePath, 'utf8');

  test('points editors at the schema on its first line', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./src/spec/deploy.schema.json');
  });

  test('validates cleanly and builds the create body, HF_TOKEN empty when unset', () => {
    const doc = singleDoc(parseSpecText(text, 'deploy.example.yaml', {}));
    expect(doc.warnings).toEqual([]);
    const { body, warnings } = buildCreateRequest(doc, {});
    expect(warnings).toEqual([]);
    expect(body).toEqual({
      name: 'llama-3-8b',
      image: 'vllm/vllm-openai:latest',
      resources: [
        { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
        { region: 'us-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
      ],
      containerVolumeInGb: 100,
      workers: 2,
      serviceMode: 'ALB',
      initializationCommand:
        'python3 -m vllm.entrypoints.openai.api_server --model meta-llama/Meta-Llama-3-8B-Instruct --host 0.0.0.0 --port 8000 --max-model-len 8192',
      environmentVars: [
        { key: 'HF_HOME', value: '/root/.cache/huggingface' },
        { key: 'HF_TOKEN', value: '' },
      ],
      expose: { port: 8000, protocol: 'HTTP' },
    });
  });

  test('takes HF_TOKEN from the environment', () => {
    const doc = singleDoc(parseSpecText(text, 'deploy.example.yaml', { HF_TOKEN: 'hf_abc' }));
    expect(doc.spec.environmentVars).toContainEqual({ key: 'HF_TOKEN', value: 'hf_abc' });
  });
});
