/** Deployments and workers as the API sends them, for the output tests. */
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import type { GlobalOptions } from '../../src/globals.js';
import { createUi } from '../../src/output/ui.js';
import type { Ui } from '../../src/output/ui.js';
import { testContext } from '../helpers/cli.js';
import { loadColors } from '../../src/output/colors.js';
import { loadTables } from '../../src/output/tables.js';

// main() loads chalk and the printers load cli-table3 before use; Uis built by hand need the same.
await loadColors();
await loadTables();
import type { RunOptions } from '../helpers/cli.js';

/** Global options as commander gives them with no flags, plus `o`. */
export function globals(o: Partial<GlobalOptions> = {}): GlobalOptions {
  return { color: true, input: true, ...o };
}

/** A Ui over captured streams. */
export function makeUi(g: Partial<GlobalOptions> = {}, run: RunOptions = {}) {
  // The output layer never reads the home folder; a fixed path spares a temporary folder per Ui.
  const t = testContext({ homeDir: '/nonexistent/yotta-output-test', ...run });
  const ui: Ui = createUi(t.ctx, globals(g));
  return { ui, ...t };
}

export const llama: ElasticDeploymentDetail = {
  id: '378888638324150969',
  name: 'llama-3-8b',
  creator: 'ada@example.com',
  domain: 'https://k3j9x2m4p8qa.yottadeos.com',
  imageRegistry: 'docker.io',
  image: 'vllm/vllm-openai:v0.6.3',
  resources: [
    {
      region: 'us-east-1',
      regionDisplayName: 'US East 1',
      gpuType: 'NVIDIA_H100_80G',
      gpuDisplayName: 'H100',
      gpuCount: 1,
      singleCardVramInGb: 80,
      singleCardVcpu: 16,
      singleCardRamInGb: 128,
    },
    {
      region: 'eu-2',
      gpuType: 'NVIDIA_H100_80G',
      gpuDisplayName: 'H100',
      gpuCount: 1,
      singleCardVramInGb: 80,
      singleCardVcpu: 16,
      singleCardRamInGb: 128,
    },
  ],
  minSingleCardVramInGb: 80,
  minSingleCardVcpu: 8,
  minSingleCardRamInGb: 64,
  containerVolumeInGb: 100,
  initializationCommand: 'python3 -m vllm.entrypoints.openai.api_server \\\n  --model meta-llama/Meta-Llama-3-8B',
  environmentVars: [
    { key: 'HF_TOKEN', value: 'hf_abcdefghijklmnop' },
    { key: 'LOG_LEVEL', value: 'debug' },
  ],
  expose: { port: 8000, protocol: 'HTTP' },
  totalWorkers: 2,
  runningWorkers: 1,
  cost: '12.3400',
  perSecondPrice: '0.001028',
  perHourPrice: '3.7000',
  serviceMode: 'ALB',
  status: 'RUNNING',
};

export const worker: ElasticDeploymentDetail = {
  id: '378888638324150970',
  name: 'batch-worker',
  image: 'ghcr.io/acme/batch:2',
  resources: [
    { region: 'us-west-1', gpuType: 'NVIDIA_RTX_4090_24G', gpuDisplayName: 'RTX 4090', gpuCount: 2 },
    { region: 'us-east-2', gpuType: 'NVIDIA_L4_24G', gpuCount: 2 },
  ],
  containerVolumeInGb: 50,
  totalWorkers: 0,
  runningWorkers: 0,
  cost: '0',
  perHourPrice: '1.2',
  serviceMode: 'QUEUE',
  status: 'STOPPED',
};

export const broken: ElasticDeploymentDetail = {
  id: '378888638324150971',
  name: 'odd',
  image: 'x',
  resources: [],
  containerVolumeInGb: 10,
  totalWorkers: 1,
  runningWorkers: 0,
  serviceMode: 'CUSTOM',
  status: 'PAUSED',
};

export const workers: ElasticDeploymentWorkerDetail[] = [
  {
    id: '378888638324151001',
    region: 'us-east-1',
    regionDisplayName: 'US East',
    gpuType: 'NVIDIA_H100_80G',
    gpuDisplayName: 'H100',
    gpuCount: 1,
    singleCardVramInGb: 80,
    singleCardVcpu: 16,
    singleCardRamInGb: 128,
    uptime: '3725000',
    cost: '3.8300',
    status: 'RUNNING',
  },
  {
    id: '378888638324151002',
    region: 'eu-2',
    gpuType: 'NVIDIA_H100_80G',
    gpuCount: 1,
    uptime: '65000',
    cost: '0.0600',
    status: 'INITIALIZE',
  },
  { id: '378888638324151003', status: 'FAILED' },
];
