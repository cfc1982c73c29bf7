/**
 * Bad responses through the whole CLI. The emulator only sends well-formed answers, so a tiny raw
 * node:http server here (a real server over loopback, not a mock) answers each route with a random
 * body: envelopes with missing, null or wrong-typed fields, unknown codes and statuses, non-JSON
 * pages, bare 18-digit ids, huge lists. `list`, `get`, `workers`, `scale` and `stop` run in-process
 * in table and JSON form; every run must render or fail with a clear message — never "unexpected
 * error", a stack trace, invalid JSON on stdout, or a terminal control sequence from the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startRawServer } from '../api/raw-server.js';
import type { RawServer } from '../api/raw-server.js';
import { expectNoCrash, fakeDeployment } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('response-fuzz', 4, 'Bad responses');
const ID = '378888638324150969';
const RUNS = 400;

/** One answer: HTTP status, body text and content type. */
interface Answer {
  status: number;
  body: string;
  type: string;
}

/** What the server answers on each route during one run. */
interface Scenario {
  list: Answer;
  detail: Answer;
  workers: Answer;
  action: Answer;
}

let server: RawServer;
let scenario: Scenario;

function route(req: IncomingMessage): keyof Scenario {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (req.method !== 'GET') return 'action';
  if (path.endsWith('/list')) return 'list';
  if (path.endsWith('/workers')) return 'workers';
  return 'detail';
}

beforeAll(async () => {
  server = await startRawServer((req: IncomingMessage, res: ServerResponse) => {
    const a = scenario[route(req)];
    res.writeHead(a.status, { 'content-type': a.type, 'content-length': Buffer.byteLength(a.body) });
    res.end(a.body);
  });
});

/** How the property runs ended, over every command. */
let rendered = 0;
let refused = 0;

afterAll(async () => {
  await server.close();
  if (rendered + refused > 0) {
    counts.add(
      'Property (fast-check)',
      `random envelopes and \`data\` on every route × 12 forms of list, get, workers, scale, stop (table, wide, JSON, YAML): ${rendered} rendered, ${refused} refused with a clear message`,
      rendered + refused,
    );
  }
  counts.save();
});

// ---------------------------------------------------------------- generators

const junkScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, '', 0, -1, 1.5, true, 'RUNNING', 'running', 'TERMINATED', 'EXPLODED', '\u001b[2J\u001b[31mred', 'a\nb\r\nc', '\u202Eevil', '1e400'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.string({ minLength: 500, maxLength: 2000 }),
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof({ depthSize: 'small' }, junkScalar, fc.array(junkScalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), junkScalar, { maxKeys: 3 }));

const FIELDS = [
  'id', 'name', 'status', 'serviceMode', 'image', 'imageRegistry', 'domain', 'runningWorkers', 'totalWorkers', 'resources', 'containerVolumeInGb',
  'initializationCommand', 'environmentVars', 'expose', 'cost', 'perHourPrice', 'perSecondPrice', 'creator', 'credentialId', 'minSingleCardVramInGb',
] as const;

/** A deployment with any of its fields dropped, nulled or replaced by junk. */
const deployment: fc.Arbitrary<unknown> = fc
  .tuple(fc.nat({ max: 100_000 }), fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(junkValue, fc.constant(undefined)), { maxKeys: 8 }))
  .map(([i, changes]) => {
    const d: Record<string, unknown> = { ...fakeDeployment(i), id: ID };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete d[k];
      else d[k] = v;
    }
    return d;
  });

const WORKER_FIELDS = ['id', 'status', 'region', 'gpuType', 'gpuDisplayName', 'gpuCount', 'uptime', 'cost', 'regionDisplayName'] as const;
const worker: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...WORKER_FIELDS), junkValue, { maxKeys: 9 }) },
  { weight: 4, arbitrary: fc.record({ id: fc.constant('4123'), status: fc.constantFrom('RUNNING', 'INITIALIZE', 'DEAD'), uptime: fc.constantFrom('1000', 'x', '-5') }) },
  { weight: 1, arbitrary: junkScalar },
);

/** `data` for each route: the right shape with junk inside, the wrong shape, or a huge list. */
const listData = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: deployment }, { weight: 1, arbitrary: junkScalar }), { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => fakeDeployment(i))) },
  { weight: 2, arbitrary: junkValue },
);
const detailData = fc.oneof({ weight: 12, arbitrary: deployment }, { weight: 2, arbitrary: junkValue }, { weight: 1, arbitrary: fc.array(deployment, { maxLength: 2 }) });
const workersData = fc.oneof({ weight: 12, arbitrary: fc.array(worker, { maxLength: 8 }) }, { weight: 2, arbitrary: junkValue });
const actionData = fc.oneof(fc.constant(null), fc.constant(ID), junkValue);

/** Mostly 200, so that well-formed bodies get rendered often enough; every other status now and then. */
const httpStatus = fc.oneof(
  { weight: 30, arbitrary: fc.constant(200) },
  { weight: 8, arbitrary: fc.constantFrom(201, 400, 401, 403, 404, 409, 500, 502, 503) },
);

/** A body around `data`: a proper envelope, a damaged one, or no envelope at all. */
function answer(data: fc.Arbitrary<unknown>): fc.Arbitrary<Answer> {
  const envelope = fc.record({
    code: fc.oneof(
      { weight: 16, arbitrary: fc.constant<unknown>(10000) },
      { weight: 3, arbitrary: fc.constantFrom<unknown>('10000', 10001, 10002, 10007, 24001, 24002, 24003, 24009, 99999, -1, 1.5, null, '') },
      { weight: 1, arbitrary: fc.constant<unknown>(undefined) },
    ),
    message: fc.oneof(fc.constantFrom<unknown>('success', 'boom', '', null, 42, undefined, '\u001b]0;pwned\u0007title'), fc.string({ maxLength: 30 })),
    data,
  });
  const text = fc.oneof(
    { weight: 20, arbitrary: fc.tuple(envelope, fc.boolean()).map(([e, bare]) => bareIds(JSON.stringify(e), bare)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '',
        '<html><body><h1>502 Bad Gateway</h1></body></html>',
        'upstream connect error or disconnect/reset before headers',
        '{"code":10000,"message":"ok","data":',
        '[]',
        'null',
        '10000',
        '{"code":10000,"message":"ok","data":{"id":' + '9'.repeat(400) + '}}',
        '\u001b[2J\u001b[Hscreen wiped',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  );
  return fc.record({
    status: httpStatus,
    body: text,
    type: fc.constantFrom('application/json', 'application/json;charset=UTF-8', 'text/html', 'text/plain'),
  });
}

/** Writes every 15-or-more-digit string id as a bare JSON number, as other Yotta APIs do. */
function bareIds(json: string, bare: boolean): string {
  return bare ? json.replace(/"id":"(\d{15,})"/g, '"id":$1') : json;
}

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  list: answer(listData),
  detail: answer(detailData),
  workers: answer(workersData),
  action: answer(actionData),
});

// ---------------------------------------------------------------- properties

const COMMANDS: { label: string; args: string[] }[] = [
  { label: 'deploy list', args: ['deploy', 'list'] },
  { label: 'deploy list -o wide', args: ['deploy', 'list', '-o', 'wide'] },
  { label: 'deploy list --json', args: ['deploy', 'list', '--json'] },
  { label: 'deploy get', args: ['deploy', 'get', ID, '--show-env'] },
  { label: 'deploy get --json', args: ['deploy', 'get', ID, '--json'] },
  { label: 'deploy get -o yaml', args: ['deploy', 'get', ID, '-o', 'yaml'] },
  { label: 'deploy workers', args: ['deploy', 'workers', ID] },
  { label: 'deploy workers --json', args: ['deploy', 'workers', ID, '--json'] },
  { label: 'deploy scale', args: ['deploy', 'scale', ID, '2'] },
  { label: 'deploy scale --json', args: ['deploy', 'scale', ID, '2', '--json'] },
  { label: 'deploy stop', args: ['deploy', 'stop', ID] },
  { label: 'deploy stop --json', args: ['deploy', 'stop', ID, '--json'] },
];

/** C0 controls and DEL other than newline and tab: a server's text must never reach the terminal raw. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('every command renders or fails clearly, whatever the server answers', () => {
  it.each(COMMANDS)('$label', async ({ label, args }) => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (s) => {
        scenario = s;
        const r = await runCli(['--timeout', '5s', ...args], { env: { YOTTA_BASE_URL: server.url, YOTTA_API_KEY: 'reliability-fuzz-key-0001' } });
        const context = `${label}\nscenario: ${JSON.stringify(s).slice(0, 1500)}\nstdout: ${r.stdout.slice(0, 500)}`;
        expectNoCrash(r, context);
        expect(r.stdout + r.stderr, context).not.toMatch(CONTROL);
        expect([0, 1, 2, 3, 4, 5, 6, 7, 9], context).toContain(r.code);
        const json = args.includes('--json');
        if (r.code === 0) {
          rendered += 1;
          if (json) expect(() => JSON.parse(r.stdout), context).not.toThrow();
        } else {
          refused += 1;
          const message = json ? (JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { error?: { message?: string } }).error?.message : /^Error: (.+)$/m.exec(r.stderr)?.[1];
          expect(message, context).toBeTruthy();
          // A scale or stop that got no clear answer is never hidden as a success, and never sent twice.
          expect(server.seen.filter((q) => q.method !== 'GET').length, context).toBeLessThanOrEqual(1);
        }
        server.seen.length = 0;
      }),
      { numRuns: Math.round(RUNS / 4), seed: 0x5eed1000 + COMMANDS.findIndex((c) => c.label === label), endOnFailure: true },
    );
  });
});

describe('table-driven answers', () => {
  const HUGE = JSON.stringify({ code: 10000, message: 'ok', data: Array.from({ length: 5000 }, (_, i) => fakeDeployment(i)) });
  const cases: { what: string; answer: Answer; args: string[]; code: number; says?: RegExp; check?: (stdout: string) => void }[] = [
    {
      what: 'a bare 18-digit id keeps every digit',
      answer: { status: 200, type: 'application/json', body: `{"code":10000,"message":"ok","data":[{"id":${ID},"name":"n","status":"RUNNING"}]}` },
      args: ['deploy', 'list', '--json'],
      code: 0,
      check: (out) => expect(out).toContain(`"id": "${ID}"`),
    },
    {
      what: '5000 deployments in a table',
      answer: { status: 200, type: 'application/json', body: HUGE },
      args: ['deploy', 'list'],
      code: 0,
      check: (out) => expect(out.split('\n').filter((l) => /^3788886383241\d{5}\s/.test(l))).toHaveLength(5000),
    },
    {
      what: 'HTTP 200 with code 24001',
      answer: { status: 200, type: 'application/json', body: '{"code":24001,"message":"Elastic Deployment does not exist","data":null}' },
      args: ['deploy', 'get', ID],
      code: 4,
      says: /deployment 378888638324150969 not found/,
    },
    {
      what: 'an unknown status shown as it came',
      answer: { status: 200, type: 'application/json', body: JSON.stringify({ code: 10000, message: 'ok', data: [{ ...fakeDeployment(1), status: 'HIBERNATING' }] }) },
      args: ['deploy', 'list'],
      code: 0,
      check: (out) => expect(out).toContain('HIBERNATING'),
    },
    {
      what: 'list data that is not a list',
      answer: { status: 200, type: 'application/json', body: '{"code":10000,"message":"ok","data":{"oops":true}}' },
      args: ['deploy', 'list'],
      code: 1,
      says: /./,
    },
    {
      what: 'an HTML page with HTTP 200',
      answer: { status: 200, type: 'text/html', body: '<html><title>Login</title><body>Please sign in</body></html>' },
      args: ['deploy', 'list'],
      code: 1,
      says: /not a JSON response: "Login Please sign in"/,
    },
    {
      what: 'a name with terminal escapes',
      answer: { status: 200, type: 'application/json', body: JSON.stringify({ code: 10000, message: 'ok', data: [{ ...fakeDeployment(1), name: '\u001b]0;pwned\u0007\u001b[2Jx' }] }) },
      args: ['deploy', 'list'],
      code: 0,
      check: (out) => expect(out).not.toMatch(CONTROL),
    },
  ];

  it.each(cases)('$what', async (c) => {
    scenario = { list: c.answer, detail: c.answer, workers: c.answer, action: c.answer };
    const r = await runCli(c.args, { env: { YOTTA_BASE_URL: server.url, YOTTA_API_KEY: 'reliability-fuzz-key-0001' } });
    counts.add('Table', 'hand-made answers: bare ids, 5000 rows, codes on HTTP 200, unknown status, wrong shapes, HTML, escapes');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(c.code);
    if (c.says) expect(r.stderr).toMatch(c.says);
    c.check?.(r.stdout);
    server.seen.length = 0;
  });
});
