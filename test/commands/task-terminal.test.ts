/**
 * `yotta task` in-process through main(): server text (a task's error) has its control characters
 * escaped in the human forms, so a hostile worker cannot drive the terminal; --json keeps it exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';
import { createDeployment } from '../../src/api/deployments.js';
import { submitTask } from '../../src/api/tasks.js';

let t: TestSandbox;
afterEach(async () => {
  await t?.close();
});

describe('yotta task on a terminal', () => {
  it('escapes control characters of a task error in get, list and wait; --json keeps the exact text', async () => {
    t = await startTestSandbox({ taskMs: 0 });
    const q = await createDeployment(t.client, deploymentBody('q', { serviceMode: 'QUEUE', expose: { port: 8000, protocol: 'HTTP' } }));
    await submitTask(t.client, q.id, { taskId: 'bad', input: { fail: 'boom\u001b[2J' }, workerPort: 8000, processUri: '/x' });
    await submitTask(t.client, q.id, { taskId: 'good', input: 'hi\u001b]0;title\u0007', workerPort: 8000, processUri: '/x' });
    const onTty = await runCli(['task', 'get', 'q', 'bad'], { env: t.env, stdoutTTY: true });
    expect(onTty.code).toBe(0);
    expect(onTty.stdout).toContain('boom\\u001b[2J');
    expect(onTty.stdout).not.toContain('\u001b[2J');
    const listed = await runCli(['task', 'list', 'q'], { env: t.env, stdoutTTY: true });
    expect(listed.stdout).toContain('boom\\u001b[2J');
    const waited = await runCli(['task', 'wait', 'q', 'bad'], { env: t.env, stdoutTTY: true });
    expect(waited.code).toBe(9);
    expect(waited.stdout + waited.stderr).not.toContain('\u001b[2J');
    // JSON escapes them its own way: the text read back is exact.
    const json = await runCli(['task', 'get', 'q', 'good', '--json'], { env: t.env });
    expect(JSON.parse(json.stdout).input).toBe('hi\u001b]0;title\u0007');
  });

  it('a submission refused for a bad flag sends nothing and names the flag', async () => {
    t = await startTestSandbox();
    const before = t.sb.requests.length;
    const r = await runCli(['task', 'submit', 'q', '-d', '{}', '--path', '/x', '--wait-timeout', '1m'], { env: t.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait-timeout needs --wait');
    expect(t.sb.requests).toHaveLength(before);
  });
});
