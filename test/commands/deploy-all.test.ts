/**
 * `deploy stop | start | delete --all [--status ...]` through main() against the emulator: which
 * deployments are acted on (exactly the matching ones), confirmation, and what is refused before
 * anything is sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment, listDeployments, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';

const body = (name: string): CreateDeploymentRequest =>
  deploymentBody(name, { workers: 1, initializationCommand: 'python serve.py' });

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox());
});

afterEach(() => close());

/** Two RUNNING (run-a, run-b) and two STOPPED (off-a, off-b) deployments; the requests that made them are forgotten. */
async function seedMixed(): Promise<Record<string, ElasticDeploymentDetail>> {
  const out: Record<string, ElasticDeploymentDetail> = {};
  for (const name of ['run-a', 'off-a', 'run-b', 'off-b']) out[name] = await createDeployment(client, body(name));
  await stopDeployment(client, out['off-a']!.id);
  await stopDeployment(client, out['off-b']!.id);
  sb.requests.length = 0;
  return out;
}

/** `METHOD path` of the requests that change something. */
const writes = (): string[] => sb.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);
// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

async function statuses(): Promise<Record<string, string>> {
  return Object.fromEntries((await listDeployments(client)).map((d) => [d.name, String(d.status)]));
}

describe('deploy stop --all', () => {
  it('--status running --yes stops exactly the RUNNING ones, found with one filtered list call', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '--status', 'running', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(sb.requests[0]!.path).toBe(`${BASE}/list`);
    expect(sb.requests[0]!.query).toEqual({ statusList: ['RUNNING'] });
    expect(writes()).toEqual([`POST ${BASE}/${d['run-a']!.id}/stop`, `POST ${BASE}/${d['run-b']!.id}/stop`]);
    expect(r.stderr).toContain(`Stopped run-a (${short(d['run-a']!.id)}).`);
    expect(r.stderr).toContain(`Stopped run-b (${short(d['run-b']!.id)}).`);
    expect(await statuses()).toEqual({ 'run-a': 'STOPPED', 'off-a': 'STOPPED', 'run-b': 'STOPPED', 'off-b': 'STOPPED' });
  });

  it('without --yes and without a terminal: exit 2 naming --yes, and nothing is sent at all', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '--status', 'running'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error: stopping every deployment that is RUNNING (--all) needs confirmation and there is no terminal to ask on; ' +
        'pass --yes to stop without asking\n',
    );
    expect(sb.requests).toEqual([]);
  });

  it('--no-input on a terminal needs --yes too', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '--no-input'], { env, stdinTTY: true, stderrTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stopping every deployment (--all) needs confirmation and --no-input was given; pass --yes');
    expect(sb.requests).toEqual([]);
  });

  it('asks on a terminal, naming every deployment affected; "y" stops them', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '-s', 'RUNNING'], {
      env: { ...env, NO_COLOR: '1' },
      stdin: 'y\n',
      stdinTTY: true,
      stderrTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `Stop 2 deployments: run-a (${short(d['run-a']!.id)}) [RUNNING], run-b (${short(d['run-b']!.id)}) [RUNNING]? [y/N] `,
    );
    expect(writes()).toHaveLength(2);
  });

  it('an answer other than yes stops nothing: exit 2', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all'], { env: { ...env, NO_COLOR: '1' }, stdin: 'n\n', stdinTTY: true, stderrTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Stop 4 deployments: ');
    expect(r.stderr).toContain('not confirmed; nothing was stopped');
    expect(writes()).toEqual([]);
  });

  it('without --status acts on every deployment; those already stopped are left alone', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.requests[0]!.query).toEqual({});
    expect(writes()).toEqual([`POST ${BASE}/${d['run-a']!.id}/stop`, `POST ${BASE}/${d['run-b']!.id}/stop`]);
    const results = JSON.parse(r.stdout) as { name: string; changed: boolean; ok: boolean }[];
    expect(results.map((x) => [x.name, x.changed, x.ok])).toEqual([
      ['run-a', true, true],
      ['off-a', false, true],
      ['run-b', true, true],
      ['off-b', false, true],
    ]);
  });

  it('nothing matching: says so and exits 0 (an empty array with --json), nothing written', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'stop', '--all', '--status', 'failed,initializing', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No deployment is FAILED or INITIALIZING; nothing to stop.\n');
    const json = await runCli(['deploy', 'stop', '--all', '--status', 'failed', '--yes', '--json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toBe('');
    expect(writes()).toEqual([]);
  });
});

describe('deploy start --all', () => {
  it('--status stopped --yes --wait starts exactly the STOPPED ones', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'start', '--all', '--status', 'stopped', '--yes', '--wait'], { env });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d['off-a']!.id}/start`, `POST ${BASE}/${d['off-b']!.id}/start`]);
    expect(await statuses()).toEqual({ 'run-a': 'RUNNING', 'off-a': 'RUNNING', 'run-b': 'RUNNING', 'off-b': 'RUNNING' });
  });

  it('refuses without --yes off a terminal, naming --yes', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'start', '--all'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: starting every deployment \(--all\) needs confirmation .*; pass --yes to start without asking\n$/);
    expect(sb.requests).toEqual([]);
  });
});

describe('deploy delete --all', () => {
  it('--status stopped --yes deletes exactly the STOPPED ones', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'delete', '--all', '--status', 'stopped', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`DELETE ${BASE}/${d['off-a']!.id}`, `DELETE ${BASE}/${d['off-b']!.id}`]);
    expect(await statuses()).toEqual({ 'run-a': 'RUNNING', 'run-b': 'RUNNING' });
  });

  it('without --yes off a terminal: exit 2 naming --yes, nothing sent', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'delete', '--all', '--status', 'stopped'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Error: deleting every deployment that is STOPPED (--all) needs confirmation and there is no terminal to ask on; ' +
        'pass --yes to delete without asking\n',
    );
    expect(sb.requests).toEqual([]);
  });

  it('asks on a terminal naming each one; "y" deletes them', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'delete', '--all', '--status', 'stopped'], {
      env: { ...env, NO_COLOR: '1' },
      stdin: 'y\n',
      stdinTTY: true,
      stderrTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Delete 2 deployments: off-a (${short(d['off-a']!.id)}), off-b (${short(d['off-b']!.id)})? [y/N] `);
    expect(writes()).toHaveLength(2);
  });

  it('--all --force --yes stops the running ones first, then deletes everything', async () => {
    await seedMixed();
    const r = await runCli(['deploy', 'delete', '--all', '--force', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(writes().filter((w) => w.endsWith('/stop'))).toHaveLength(2);
    expect(writes().filter((w) => w.startsWith('DELETE'))).toHaveLength(4);
    expect(await listDeployments(client)).toEqual([]);
  });

  it('nothing to delete: exit 0', async () => {
    const r = await runCli(['deploy', 'delete', '--all', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('There are no deployments; nothing to delete.\n');
  });
});

describe('--all usage errors (exit 2, nothing sent)', () => {
  it.each([
    [['deploy', 'stop', '--all', 'run-a'], /--all acts on every deployment; it cannot be combined with ids or names \(run-a\)/],
    [['deploy', 'delete', '--all', '--status', 'stopped', '378888638324150969', '--yes'], /--all acts on every deployment in --status; it cannot be combined/],
    [['deploy', 'start', '--status', 'stopped'], /--status chooses deployments for --all; add --all/],
    [['deploy', 'stop'], /name at least one deployment id or name, or pass --all/],
    [['deploy', 'stop', '--all', '--status', 'asleep', '--yes'], /--status: unknown deployment status "asleep"/],
  ])('%j', async (args, message) => {
    await seedMixed();
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sb.requests).toEqual([]);
  });

  it('a named stop still works as before (one GET, one POST, one GET)', async () => {
    const d = await seedMixed();
    const r = await runCli(['deploy', 'stop', d['run-a']!.id], { env });
    expect(r.code).toBe(0);
    expect(sb.requests.map((q) => q.method)).toEqual(['GET', 'POST', 'GET']);
    expect(String((await getDeployment(client, d['run-a']!.id)).status)).toBe('STOPPED');
  });
});
