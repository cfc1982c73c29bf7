/**
 * Bad arguments, in-process against the emulator: worker counts, ids that could bend a request path,
 * unknown flags (with a suggestion), conflicting flags and bad durations. Each is refused with exit 2
 * before anything is sent — or, for an id, never allowed to change the path of what is sent.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { getDeployment, scaleDeployment } from '../../src/api/deployments.js';
import { runCli } from '../helpers/cli.js';
import { BASE, calls, errorMessage, expectNoCrash, seed, writes } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('arguments', 5, 'Bad arguments');
let sb: Sandbox;
let id: string;

beforeAll(async () => {
  sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  id = (await seed(sb, ['rel-args']))[0]!.id;
});

beforeEach(() => {
  sb.requests.length = 0;
});

afterAll(async () => {
  await sb.close();
  counts.save();
});

/** Runs in-process on a virtual clock that each pause moves on, so that waits end at once. */
function cli(args: string[]) {
  let t = Date.parse('2025-06-01T12:00:00Z');
  return runCli(args, {
    env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey },
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  });
}

/** Runs `args` and checks: exit 2, an error (matching `says`), nothing on stdout, nothing sent (with `reads`: no write sent). */
async function refused(args: string[], says?: RegExp, o: { reads?: boolean } = {}): Promise<string> {
  const r = await cli(args);
  const context = `yotta ${args.join(' ')}`;
  expectNoCrash(r, context);
  expect(r.code, `${context}\n${r.stderr}`).toBe(2);
  expect(r.stdout, context).toBe('');
  expect(errorMessage(r.stderr), context).toMatch(/^Error: /);
  if (says) expect(errorMessage(r.stderr), context).toMatch(says);
  expect(o.reads ? writes(sb) : calls(sb), context).toEqual([]);
  return r.stderr;
}

describe('worker counts', () => {
  const BAD = ['two', '-2', '-0', '1.5', '1e3', '0x10', '+3', '3abc', '', ' ', 'NaN', 'Infinity', '99999999999999999999', '10001', '１', '٣', '3 4'];
  it.each(BAD)('deploy scale <id> %j → exit 2, nothing sent', async (n) => {
    counts.add('Worker counts', 'deploy scale with a non-numeric, negative, fractional, huge or non-ASCII count');
    await refused(['deploy', 'scale', id, n], /workers/);
  });

  it.each(['two', '-1', '1.5', '1e400', ''])('deploy create --workers %j --dry-run → exit 2', async (n) => {
    counts.add('Worker counts', 'create/update --workers and wait --for workers=N with bad numbers');
    await refused(['deploy', 'create', '--name', 'a', '--image', 'b', '--workers', n, '--dry-run'], /--workers/);
  });

  it.each(['x', '-1', '1.5'])('deploy update <id> --workers %j → exit 2', async (n) => {
    counts.add('Worker counts', 'create/update --workers and wait --for workers=N with bad numbers');
    // update reads the deployment before it merges and checks the new values; nothing is written.
    await refused(['deploy', 'update', id, '--workers', n], /--workers/, { reads: true });
  });

  it.each(['workers=abc', 'workers=-1', 'workers=', 'sideways'])('deploy wait <id> --for %s → exit 2', async (f) => {
    counts.add('Worker counts', 'create/update --workers and wait --for workers=N with bad numbers');
    await refused(['deploy', 'wait', id, '--for', f], /--for/);
  });

  it.each(['0', '3', '007'])('deploy scale <id> %s is accepted and sent as a number', async (n) => {
    const r = await cli(['deploy', 'scale', id, n]);
    counts.add('Worker counts', 'valid counts (0, 3, 007) sent as numbers');
    expect(r.code, r.stderr).toBe(0);
    expect(sb.requests.find((q) => q.method === 'POST')?.body).toEqual({ workers: Number(n) });
  });
});

describe('ids and names never change the request path', () => {
  const VERBS: ((ref: string) => string[])[] = [
    (ref) => ['deploy', 'get', ref],
    (ref) => ['deploy', 'workers', ref],
    (ref) => ['deploy', 'start', ref],
    (ref) => ['deploy', 'stop', ref],
    (ref) => ['deploy', 'scale', ref, '1'],
    (ref) => ['deploy', 'delete', ref, '--yes'],
    (ref) => ['deploy', 'update', ref, '--workers', '2'],
    (ref) => ['deploy', 'wait', ref, '--wait-timeout', '1s'],
  ];
  const BAD_REFS = ['a b', 'a/b', '../list', `${'3'.repeat(18)}/../list`, '378888638324150969/stop', 'a?x=1', 'a#b', 'a\\b', '%2e%2e', 'a%2Fb', '', ' ', 'ü', 'a\nb', 'a\u0000b'];

  it.each(BAD_REFS.flatMap((ref) => VERBS.map((v) => v(ref))))('yotta %j → exit 2, nothing sent', async (...args) => {
    counts.add('Ids', 'ids with spaces, slashes, dot segments, ?, #, %, controls × 8 verbs: exit 2, nothing sent');
    await refused(args as string[], /is not a deployment id or name/);
  });

  /** Paths an id may produce: the list, or one id segment with an optional action. */
  const ALLOWED = new RegExp(`^${BASE}/(list|\\d{15,20}(/(start|stop|workers|update))?)$`);

  it('property: any reference on any verb only ever reaches /list or /<digits>[/action]', async () => {
    const ref = fc.oneof(
      fc.string({ maxLength: 24 }),
      fc.string({ unit: fc.constantFrom('a', '1', '.', '/', '%', '2', 'e', 'F', '?', '#', ' ', '\\', '-', '_', '@'), maxLength: 24 }),
      fc.constantFrom('.', '..', '...', '@', '-x', '--', 'list', 'create', id, `${id}x`),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(ref, fc.nat({ max: VERBS.length - 1 }), async (r, verb) => {
        sb.requests.length = 0;
        const args = VERBS[verb]!(r);
        const result = await cli(args);
        runs += 1;
        expectNoCrash(result, JSON.stringify(args));
        for (const q of sb.requests) expect(q.path, JSON.stringify(args)).toMatch(ALLOWED);
      }),
      { numRuns: 300, seed: 0x5eed2001, endOnFailure: true },
    );
    counts.add('Ids', 'property: random references × 8 verbs, every recorded path is /list or /<id>[/action]', runs);
  });

  it('property: the API layer encodes any id into exactly one path segment (or refuses it)', async () => {
    const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'reliability' });
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 30 }), fc.boolean(), async (raw, scale) => {
          sb.requests.length = 0;
          runs += 1;
          await (scale ? scaleDeployment(client, raw, 1) : getDeployment(client, raw)).catch(() => undefined);
          for (const q of sb.requests) {
            const rest = q.path.slice(BASE.length + 1).split('/');
            expect(q.path.startsWith(`${BASE}/`)).toBe(true);
            expect(rest.length, q.path).toBe(scale ? 2 : 1);
            expect(decodeURIComponent(rest[0]!)).toBe(raw);
          }
        }),
        { numRuns: 300, seed: 0x5eed2002, endOnFailure: true },
      );
    } finally {
      await client.close();
    }
    counts.add('Ids', 'property: the API layer puts any id in exactly one encoded path segment', runs);
  });
});

describe('unknown flags and commands get a suggestion; nothing is sent', () => {
  const CASES: [string[], RegExp][] = [
    [['deploy', 'list', '--jsn'], /unknown option '--jsn' \(Did you mean --json\?\)/],
    [['deploy', 'list', '--stauts', 'running'], /unknown option '--stauts' \(Did you mean --status\?\)/],
    [['--outptu', 'json', 'deploy', 'list'], /unknown option '--outptu' \(Did you mean --output\?\)/],
    [['deploy', 'scale', 'x', '2', '--wiat'], /unknown option '--wiat' \(Did you mean --wait\?\)/],
    [['deploy', 'create', '--imgae', 'x'], /unknown option '--imgae' \(Did you mean --image\?\)/],
    [['deploy', 'lst'], /unknown command 'lst' \(Did you mean one of list, ls\?\)|unknown command 'lst' \(Did you mean list\?\)/],
    [['deploi', 'list'], /unknown command 'deploi' \(Did you mean deploy\?\)/],
    [['deploy', 'delete', 'x', '--yess'], /unknown option '--yess' \(Did you mean --yes\?\)/],
    [['deploy', 'list', '--api-key', 'k'], /unknown option '--api-key'/],
  ];
  it.each(CASES)('yotta %j', async (args, says) => {
    counts.add('Flags', 'unknown flags and commands: exit 2 with "Did you mean"');
    await refused(args, says);
  });
});

describe('conflicting or malformed flags: exit 2, nothing sent', () => {
  const CASES: [string[], RegExp][] = [
    [['deploy', 'create', '--name', 'a', '--dry-run', '--wait'], /--dry-run sends nothing/],
    [['deploy', 'workers', 'x', '--interval', '2s'], /--interval only applies with --watch/],
    [['--profile', 'p', 'config', 'list', '--all'], /--all shows every profile/],
    [['--json', '-o', 'yaml', 'deploy', 'list'], /--json and -o yaml/],
    [['-o', 'table', '--json', 'deploy', 'get', 'x'], /--json and -o table/],
    [['-o', 'xml', 'deploy', 'list'], /argument 'xml' is invalid/],
    [['--timeout', 'abc', 'deploy', 'list'], /--timeout: "abc" is not a duration/],
    [['--timeout', '-5s', 'deploy', 'list'], /--timeout/],
    [['--timeout', '0', 'deploy', 'list'], /--timeout must be at least 1ms/],
    [['deploy', 'scale', 'x', '2', '--wait-timeout', 'soon'], /--wait-timeout/],
    [['deploy', 'list', '--status', 'bogus'], /unknown deployment status "bogus"/],
    [['deploy', 'delete', 'x'], /pass --yes/],
    [['deploy', 'scale', '378888638324150969'], /missing required argument 'workers'/],
    [['deploy', 'scale', '378888638324150969', '2', '3'], /too many arguments/],
    [['--base-url', 'not a url', 'deploy', 'list'], /is not a URL/],
  ];
  it.each(CASES)('yotta %j', async (args, says) => {
    counts.add('Flags', 'conflicting or malformed flags (--json with -o yaml, --dry-run --wait, --timeout 0...): exit 2, nothing sent');
    await refused(args, says);
  });
});
