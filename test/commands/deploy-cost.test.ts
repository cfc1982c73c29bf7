import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, scaleDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { hourlyPrice, priceChangeLine, priceLine, projectedHourlyPrice } from '../../src/services/pricing.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const CLOCK = 1_700_000_000_000;

/** One H100 and 100 GB per worker: $1.85 + $0.10 = $1.95 an hour per worker in the sandbox, $3.90 for two. */
const CREATE = deploymentBody('llama', { initializationCommand: 'serve' });

const SPEC = `name: llama
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: 2
serviceMode: CUSTOM
initializationCommand: serve
`;

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let dir: string;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  // NO_COLOR keeps the spinner still, so stderr holds exactly the narration lines.
  env = { ...env, NO_COLOR: '1' };
  dir = tempDir('yotta-cost-');
  writeFileSync(join(dir, 'deploy.yaml'), SPEC);
});

afterEach(() => close());

const tty: RunOptions = { stderrTTY: true };
const run = (args: string[], o: RunOptions = {}) => runCli(args, { cwd: dir, ...o, env: { ...env, ...o.env } });
// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

async function existing(): Promise<ElasticDeploymentDetail> {
  const d = await createDeployment(client, CREATE);
  sb.requests.length = 0;
  return d;
}

describe('scale shows the price change before acting', () => {
  it('on a terminal: current and projected $/hour, between "Scaling" and the result', async () => {
    const d = await existing();
    const r = await run(['deploy', 'scale', d.id, '4'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      `Scaling llama (${short(d.id)}) from 2 to 4 workers…`,
      'Price: $3.90/h → $7.80/h',
      `Scaled llama (${short(d.id)}) to 4 workers: RUNNING, 4/4 workers running. Next: yotta deploy workers ${d.id}`,
    ]);
  });

  it('not without a terminal, nor with --json or --quiet', async () => {
    const d = await existing();
    for (const [args, o] of [
      [[], {}],
      [['--json'], tty],
      [['--quiet'], tty],
    ] as const) {
      const r = await run(['deploy', 'scale', d.id, '3', ...args], o);
      expect(r.code).toBe(0);
      expect(r.stderr, args.join(' ')).not.toContain('Price');
    }
  });

  it('not when it cannot be worked out: from 0 workers the API prices nothing to scale from', async () => {
    const d = await existing();
    await scaleDeployment(client, d.id, 0);
    const r = await run(['deploy', 'scale', d.id, '2'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('Price');
  });
});

describe('create shows the price once the API knows it', () => {
  it('after creating, on a terminal only', async () => {
    const shown = await run(['deploy', 'create', '-f', 'deploy.yaml'], tty);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/^Price: \$3\.90\/h\nCreated llama/);
    const json = await run(['deploy', 'create', '-f', 'deploy.yaml', '--name', 'llama2', '--json'], tty);
    expect(json.stderr).toBe('');
    const plain = await run(['deploy', 'create', '-f', 'deploy.yaml', '--name', 'llama3']);
    expect(plain.stderr).not.toContain('Price');
  });
});

describe('apply shows the price change where it can be worked out', () => {
  it('create: the price after creating', async () => {
    const r = await run(['deploy', 'apply', '-f', 'deploy.yaml'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Created llama \(\d{18}\)\.\nPrice: \$3\.90\/h\n$/);
  });

  it('scale: current → projected, before scaling', async () => {
    const d = await existing();
    writeFileSync(join(dir, 'deploy.yaml'), SPEC.replace('workers: 2', 'workers: 1'));
    const r = await run(['deploy', 'apply', '-f', 'deploy.yaml'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[1]).toBe('Price: $3.90/h → $1.95/h');
    // Applied: the same file now plans nothing, and so prices nothing.
    const dry = await run(['deploy', 'apply', '-f', 'deploy.yaml', '--dry-run'], tty);
    expect(dry.stdout).toBe(`unchanged  llama (${short(d.id)})\n`);
    expect(dry.stderr).toBe('Dry run: nothing was changed.\n');
  });

  it('update with restart: projected before stopping when only the worker count changes the price', async () => {
    const d = await existing();
    writeFileSync(join(dir, 'deploy.yaml'), SPEC.replace('workers: 2', 'workers: 6').replace('serve\n', 'serve --fast\n'));
    const dry = await run(['deploy', 'apply', '-f', 'deploy.yaml', '--dry-run', '--restart'], tty);
    expect(dry.stderr).toBe('Price: $3.90/h → $11.70/h\nDry run: nothing was changed.\n');
    const r = await run(['deploy', 'apply', '-f', 'deploy.yaml', '--restart'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([`Stopping llama (${short(d.id)}) to update it (--restart)…`, 'Price: $3.90/h → $11.70/h']);
  });

  it('update of what sets the price per worker: the new price once the update has answered', async () => {
    const d = await existing();
    await stopDeployment(client, d.id);
    writeFileSync(join(dir, 'deploy.yaml'), SPEC.replace('containerVolumeInGb: 100', 'containerVolumeInGb: 500'));
    const dry = await run(['deploy', 'apply', '-f', 'deploy.yaml', '--dry-run'], tty);
    expect(dry.stderr).toBe('Dry run: nothing was changed.\n');
    const r = await run(['deploy', 'apply', '-f', 'deploy.yaml'], tty);
    expect(r.code).toBe(0);
    // $1.85 + 500 × $0.001 = $2.35 per worker.
    expect(r.stderr).toBe(`Price: $3.90/h → $4.70/h\nUpdated llama (${short(d.id)}); it is STOPPED. Next: yotta deploy start ${d.id}\n`);
  });

  it('never under --json', async () => {
    await existing();
    writeFileSync(join(dir, 'deploy.yaml'), SPEC.replace('workers: 2', 'workers: 3'));
    const r = await run(['deploy', 'apply', '-f', 'deploy.yaml', '--json'], tty);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('price arithmetic', () => {
  const d = (perHourPrice: unknown, totalWorkers: number) => ({ perHourPrice, totalWorkers }) as unknown as ElasticDeploymentDetail;

  it('projects perHourPrice / totalWorkers × workers, exactly when the count is the same', () => {
    expect(projectedHourlyPrice(d('3.700000', 2), 4)).toBe('7.400000');
    expect(projectedHourlyPrice(d('3.700000', 2), 2)).toBe('3.700000');
    expect(projectedHourlyPrice(d('1.95', 3), 1)).toBe('0.650000');
    expect(projectedHourlyPrice(d('0.00', 0), 2)).toBeUndefined();
    expect(projectedHourlyPrice(d(undefined, 2), 4)).toBeUndefined();
    expect(projectedHourlyPrice(d('n/a', 2), 4)).toBeUndefined();
  });

  it('formats the change, and says nothing when a side is unknown or nothing changes', () => {
    expect(priceChangeLine('3.70', '7.400000')).toBe('Price: $3.70/h → $7.40/h');
    expect(priceChangeLine('3.70', '3.700000')).toBeUndefined();
    expect(priceChangeLine(undefined, '1')).toBeUndefined();
    expect(priceLine({ perHourPrice: '0.000514' })).toBe('Price: <$0.01/h');
    expect(priceLine({})).toBeUndefined();
    expect(hourlyPrice({ perHourPrice: ' ' })).toBeUndefined();
    expect(hourlyPrice({ perHourPrice: '-1' })).toBeUndefined();
  });
});
