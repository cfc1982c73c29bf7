/**
 * End to end: `yotta credential` and specs that name a credential, with the built CLI in its own
 * process, against an emulator started here (so the requests it received can be asserted) and
 * against `--sandbox` (state persisted between processes). Every command and flag of issue 16:
 * list/get/create/update/delete, --password-stdin, tables, --json, -o id, --no-headers, name-or-id
 * resolution and ambiguity, the in-use refusal, `credential:` and --credential/--credential-id in
 * create, update, apply and diff, the round trip through `deploy get -o yaml`, and the private
 * image that fails without a credential.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { buildCli, runBuiltCli } from '../helpers/built-cli.js';

const CRED = '/v2/container-registry-auths';
const DEPLOY = '/openapi/v1/elastic/deploy';

let buildDir: string;
let sb: Sandbox;
let configDir: string;

/** The built CLI against the test's emulator (or, with `sandbox`, against --sandbox in configDir). */
async function yotta(args: string[], o: { stdin?: string; sandbox?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = o.sandbox ? { YOTTA_SANDBOX_DELAY_MS: '0' } : { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  const r = await runBuiltCli(buildDir, o.sandbox ? ['--sandbox', ...args] : args, { configDir, cwd: configDir, env, stdin: o.stdin });
  expect(r.stderr, `yotta ${args.join(' ')}`).not.toMatch(/^\s+at .+:\d+/m);
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `METHOD path` of each request the emulator received since the last reset. */
const calls = (): string[] => sb.requests.map((r) => `${r.method} ${r.path}`);
const writes = (): string[] => calls().filter((c) => !c.startsWith('GET '));
const bodyOf = (method: string): Record<string, unknown> => sb.requests.find((r) => r.method === method)?.body as Record<string, unknown>;

/** Creates a credential through the CLI; returns its id. */
async function createCredential(name: string, password = 'hunter2-token', type = 'PRIVATE'): Promise<string> {
  const r = await yotta(['credential', 'create', name, '--type', type, '--username', 'robot', '--password-stdin', '-o', 'id'], { stdin: `${password}\n` });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

const SPEC = (name: string, extra = ''): string => `name: ${name}
image: registry.example.com/acme/model:1
resources:
  - { region: us-east-1, gpuType: NVIDIA_H100_80G, gpuCount: 1 }
containerVolumeInGb: 100
workers: 1
serviceMode: QUEUE
initializationCommand: serve
${extra}`;

beforeAll(async () => {
  buildDir = await buildCli();
}, 180_000);

beforeEach(async () => {
  configDir = tempDir('yotta-e2e-cred-');
  sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
});

afterEach(async () => {
  await sb.close();
});

afterAll(() => undefined);

describe('yotta credential create (built CLI)', () => {
  it('sends all of stdin as the password, one trailing newline dropped, so a multi-line JSON key survives; prints the credential, never the password', async () => {
    const key = '{\n  "type": "service_account",\n  "private_key": "-----BEGIN KEY-----\\nABC\\n-----END KEY-----\\n"\n}\n';
    const r = await yotta(['credential', 'create', 'gcr-key', '--type', 'gcr', '--username', '_json_key', '--password-stdin'], { stdin: `${key}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(writes()).toEqual([`POST ${CRED}`]);
    expect(bodyOf('POST')).toEqual({ name: 'gcr-key', type: 'GCR', username: '_json_key', password: key });
    expect(r.stdout).toMatch(/^ID:\s+\d{18}\nName:\s+gcr-key\nType:\s+GCR\nCreated:\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\n$/);
    expect(r.stderr).toMatch(/^Created credential gcr-key \(\d{18}\)\. Next: yotta deploy create -f deploy\.yaml --credential gcr-key\n$/);
    expect(r.stdout + r.stderr).not.toContain('private_key');
  });

  it('--json prints the API data with the 18-digit id (sent as a bare JSON number) as its exact string; -o id prints the id alone', async () => {
    const r = await yotta(['credential', 'create', 'hub', '--type', 'DOCKER_HUB', '--username', 'me', '--password-stdin', '--json'], { stdin: 'pw' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const data = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['id', 'name', 'type', 'createdAt']);
    expect(data.id).toMatch(/^\d{18}$/);
    const listed = await yotta(['credential', 'list', '-o', 'id']);
    expect(listed.stdout).toBe(`${String(data.id)}\n`);
  });

  it.each([
    [['--type', 'DOCKERHUB', '--username', 'u', '--password-stdin'], 'pw', /--type: "DOCKERHUB" is not a registry type; .*did you mean DOCKER_HUB/],
    [['--type', 'GCR', '--username', ' ', '--password-stdin'], 'pw', /--username: must not be empty/],
    [['--type', 'GCR', '--username', 'u', '--password-stdin'], '', /the password is empty/],
    [['--type', 'GCR', '--username', 'u', '--password-stdin'], '\n', /the password is empty/],
    [['--type', 'GCR', '--username', 'u'], 'pw', /no password given: it is read from standard input with --password-stdin/],
    [['--username', 'u', '--password-stdin'], 'pw', /--type/],
    [['--type', 'GCR', '--password-stdin'], 'pw', /--username/],
    [['--type', 'GCR', '--username', 'u', '--password', 'pw'], '', /unknown option '--password'/],
  ])('bad input %j: exit 2, one clear line, nothing sent', async (flags, stdin, message) => {
    const r = await yotta(['credential', 'create', 'name-a', ...flags], { stdin });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(calls()).toEqual([]);
  });

  it('a name made only of digits would read as an id: refused, exit 2, nothing sent', async () => {
    const r = await yotta(['credential', 'create', '12345', '--type', 'GCR', '--username', 'u', '--password-stdin'], { stdin: 'pw' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"12345" is only digits/);
    expect(calls()).toEqual([]);
  });
});

describe('yotta credential list / get (built CLI)', () => {
  it('list: a table of ID NAME TYPE CREATED; --no-headers drops the header; --json the API data; -o yaml; empty says so on stderr', async () => {
    const empty = await yotta(['credential', 'list']);
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: 'No credentials.\n' });
    const a = await createCredential('alpha');
    const b = await createCredential('beta', 'pw', 'ECR');
    const table = await yotta(['credential', 'list']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+TYPE\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      [a, 'alpha', 'PRIVATE'],
      [b, 'beta', 'ECR'],
    ]);
    const bare = await yotta(['credential', 'list', '--no-headers']);
    expect(bare.stdout).toBe(lines.slice(1).join('\n') + '\n');
    const json = await yotta(['credential', 'ls', '--json']);
    expect((JSON.parse(json.stdout) as Array<{ id: string; name: string }>).map((c) => [c.id, c.name])).toEqual([
      [a, 'alpha'],
      [b, 'beta'],
    ]);
    const yaml = await yotta(['credential', 'list', '-o', 'yaml']);
    expect(yaml.stdout).toContain(`- id: "${a}"\n  name: alpha\n`);
  });

  it('get by name and by id show the same credential; --json and -o id; unknown name exit 4 with did-you-mean; unknown id exit 4', async () => {
    const id = await createCredential('alpha');
    sb.requests.length = 0;
    const byName = await yotta(['credential', 'get', 'alpha']);
    expect(byName.code).toBe(0);
    expect(calls()).toEqual([`GET ${CRED}`, `GET ${CRED}/${id}`]);
    const byId = await yotta(['credential', 'get', id]);
    expect(byId.stdout).toBe(byName.stdout);
    expect(JSON.parse((await yotta(['credential', 'get', 'alpha', '--json'])).stdout)).toMatchObject({ id, name: 'alpha', type: 'PRIVATE' });
    expect((await yotta(['credential', 'get', 'alpha', '-o', 'id'])).stdout).toBe(`${id}\n`);

    const typo = await yotta(['credential', 'get', 'alpah']);
    expect(typo.code).toBe(4);
    expect(typo.stderr).toMatch(/^Error: no credential named "alpah" \(did you mean "alpha"\?\)/);
    const missing = await yotta(['credential', 'get', '123456789012345678']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^Error: credential 123456789012345678 not found/);
    const missingJson = await yotta(['credential', 'get', '123456789012345678', '--json']);
    expect(JSON.parse(missingJson.stderr)).toMatchObject({ error: { exitCode: 4, code: 10007 } });
  });

  it('a name shared by two credentials is refused with both ids listed, exit 2, nothing written', async () => {
    const one = await createCredential('twin');
    const two = await createCredential('twin');
    sb.requests.length = 0;
    for (const args of [['credential', 'get', 'twin'], ['credential', 'update', 'twin', '--username', 'x'], ['credential', 'delete', 'twin', '--yes']]) {
      const r = await yotta(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`2 credentials are named "twin": ${one}, ${two}; use an id instead`);
    }
    expect(writes()).toEqual([]);
  });
});

describe('yotta credential update (built CLI)', () => {
  it('--name and --username send only those fields in one PATCH; --password-stdin sends the new password; the result is printed', async () => {
    const id = await createCredential('alpha');
    sb.requests.length = 0;
    const renamed = await yotta(['credential', 'update', 'alpha', '--name', 'alpha-prod', '--username', 'bot']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(writes()).toEqual([`PATCH ${CRED}/${id}`]);
    expect(bodyOf('PATCH')).toEqual({ name: 'alpha-prod', username: 'bot' });
    expect(renamed.stdout).toMatch(/^Name:\s+alpha-prod$/m);
    expect(renamed.stderr).toBe(`Updated credential alpha-prod (${id}). Next: yotta credential list\n`);

    sb.requests.length = 0;
    const pw = await yotta(['credential', 'update', id, '--password-stdin', '--json'], { stdin: 'new-secret\r\n' });
    expect(pw.code).toBe(0);
    expect(bodyOf('PATCH')).toEqual({ password: 'new-secret' });
    expect(pw.stdout).not.toContain('new-secret');
  });

  it('nothing to update, a digits-only new name, or an unknown credential: a clear error, nothing written', async () => {
    await createCredential('alpha');
    sb.requests.length = 0;
    const nothing = await yotta(['credential', 'update', 'alpha']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to update: give --name, --username or --password-stdin/);
    const digits = await yotta(['credential', 'update', 'alpha', '--name', '42']);
    expect(digits.code).toBe(2);
    expect(calls()).toEqual([]);
    const unknown = await yotta(['credential', 'update', 'nope', '--username', 'x']);
    expect(unknown.code).toBe(4);
    expect(writes()).toEqual([]);
  });
});

describe('yotta credential delete (built CLI)', () => {
  it('without a terminal it needs --yes (exit 2, nothing sent); with --yes it deletes by name or id', async () => {
    const a = await createCredential('alpha');
    const b = await createCredential('beta');
    sb.requests.length = 0;
    const asked = await yotta(['credential', 'delete', 'alpha']);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/needs confirmation .*pass --yes/);
    expect(calls()).toEqual([]);
    const r = await yotta(['credential', 'delete', 'alpha', b, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(writes()).toEqual([`DELETE ${CRED}/${a}`, `DELETE ${CRED}/${b}`]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Deleted alpha');
    expect((await yotta(['credential', 'list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('a credential a deployment uses: the API refuses, yotta names the deployments using it and exits 5; --json keeps the API code', async () => {
    const id = await createCredential('alpha');
    writeFileSync(join(configDir, 'a.yaml'), SPEC('user-one', 'credential: alpha\n'));
    writeFileSync(join(configDir, 'b.yaml'), SPEC('user-two', `credentialId: "${id}"\n`));
    expect((await yotta(['deploy', 'create', '-f', 'a.yaml'])).code).toBe(0);
    expect((await yotta(['deploy', 'create', '-f', 'b.yaml'])).code).toBe(0);
    const users = JSON.parse((await yotta(['deploy', 'list', '--json'])).stdout) as Array<{ id: string; name: string }>;
    sb.requests.length = 0;
    const r = await yotta(['credential', 'delete', 'alpha', '--yes']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`cannot be deleted: 2 deployments user-one (${users[0]!.id}), user-two (${users[1]!.id}) use it`);
    expect(calls()).toEqual([`GET ${CRED}`, `DELETE ${CRED}/${id}`, `GET ${DEPLOY}/list`]);
    const json = await yotta(['credential', 'delete', id, '--yes', '--json']);
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { exitCode: 5, code: 24002 } });
    expect((await yotta(['credential', 'list', '-o', 'id'])).stdout).toBe(`${id}\n`);
  });

  it('several at once: each reported (--json one entry each), exit 10 when some failed', async () => {
    const a = await createCredential('alpha');
    const r = await yotta(['credential', 'delete', 'alpha', 'ghost', '--yes', '--json']);
    expect(r.code).toBe(10);
    const results = JSON.parse(r.stdout) as Array<{ id: string; ok: boolean; error: { exitCode: number } | null }>;
    expect(results.map((x) => [x.id, x.ok, x.error?.exitCode ?? null])).toEqual([
      [a, true, null],
      ['ghost', false, 4],
    ]);
  });
});

describe('specs and flags that name a credential (built CLI)', () => {
  it('create --dry-run with `credential: <name>` reads the credentials once and shows the resolved id; nothing is written', async () => {
    const id = await createCredential('acme');
    writeFileSync(join(configDir, 'p.yaml'), SPEC('priv', 'credential: acme\n'));
    sb.requests.length = 0;
    const r = await yotta(['deploy', 'create', '-f', 'p.yaml', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'priv', credentialId: id });
    expect(JSON.parse(r.stdout)).not.toHaveProperty('credential');
    expect(calls()).toEqual([`GET ${CRED}`]);
  });

  it('an unknown name is a validation error at its line with did-you-mean, exit 2, nothing written (create, apply, diff, --credential)', async () => {
    await createCredential('acme');
    writeFileSync(join(configDir, 'p.yaml'), SPEC('priv', 'credential: acmee\n'));
    sb.requests.length = 0;
    for (const args of [['deploy', 'create', '-f', 'p.yaml'], ['deploy', 'apply', '-f', 'p.yaml'], ['deploy', 'diff', '-f', 'p.yaml']]) {
      const r = await yotta(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('p.yaml:9:13: no credential named "acmee" (did you mean "acme"?)');
    }
    writeFileSync(join(configDir, 'q.yaml'), SPEC('priv'));
    const flag = await yotta(['deploy', 'create', '-f', 'q.yaml', '--credential', 'acmee']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--credential: no credential named "acmee" (did you mean "acme"?)');
    expect(writes()).toEqual([]);
  });

  it('--credential NAME and --credential-id (its alias) win over the file; digits are an id, used without a look-up', async () => {
    const acme = await createCredential('acme');
    const other = await createCredential('other');
    writeFileSync(join(configDir, 'p.yaml'), SPEC('priv', 'credential: acme\n'));
    sb.requests.length = 0;
    const byName = await yotta(['deploy', 'create', '-f', 'p.yaml', '--credential', 'other', '--dry-run']);
    expect(JSON.parse(byName.stdout).credentialId).toBe(other);
    sb.requests.length = 0;
    writeFileSync(join(configDir, 'q.yaml'), SPEC('priv'));
    const byId = await yotta(['deploy', 'create', '-f', 'q.yaml', '--credential-id', acme, '--dry-run']);
    expect(JSON.parse(byId.stdout).credentialId).toBe(acme);
    expect(calls()).toEqual([]);
    const both = await yotta(['deploy', 'create', '-f', 'q.yaml', '--credential', 'acme', '--credential-id', acme, '--dry-run']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--credential and --credential-id are the same flag/);
    writeFileSync(join(configDir, 'r.yaml'), SPEC('priv', `credential: acme\ncredentialId: "${acme}"\n`));
    const twice = await yotta(['deploy', 'create', '-f', 'r.yaml', '--dry-run']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/r\.yaml:9:13: give credential \(a name or id\) or credentialId, not both/);
  });

  it('update --credential NAME sends the resolved id (one read of the credentials); update -f with `credential:` too', async () => {
    const acme = await createCredential('acme');
    const other = await createCredential('other');
    writeFileSync(join(configDir, 'p.yaml'), SPEC('priv', 'credential: acme\n'));
    expect((await yotta(['deploy', 'create', '-f', 'p.yaml'])).code).toBe(0);
    expect((await yotta(['deploy', 'stop', 'priv', '--wait'])).code).toBe(0);
    sb.requests.length = 0;
    const r = await yotta(['deploy', 'update', 'priv', '--credential', 'other']);
    expect(r.code, r.stderr).toBe(0);
    expect(calls().filter((c) => c === `GET ${CRED}`)).toHaveLength(1);
    expect(sb.requests.find((x) => x.path.endsWith('/update'))?.body).toMatchObject({ credentialId: other });
    sb.requests.length = 0;
    const file = await yotta(['deploy', 'update', 'priv', '-f', 'p.yaml', '--dry-run']);
    expect(JSON.parse(file.stdout).credentialId).toBe(acme);
    // An empty reference clears the credential: sent as credentialId "", with no look-up.
    sb.requests.length = 0;
    const cleared = await yotta(['deploy', 'update', 'priv', '--credential', '', '--json']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(calls()).not.toContain(`GET ${CRED}`);
    expect(sb.requests.find((x) => x.path.endsWith('/update'))?.body).toMatchObject({ credentialId: '' });
    expect(JSON.parse(cleared.stdout)).not.toHaveProperty('credentialId');
  });

  it('deploy get -o yaml exports `credential: <name>`; diff says equal and apply leaves it unchanged (round trip); another credential is a difference; a name two credentials share is exported as credentialId', async () => {
    const id = await createCredential('acme');
    writeFileSync(join(configDir, 'p.yaml'), SPEC('priv', 'credential: acme\n'));
    expect((await yotta(['deploy', 'create', '-f', 'p.yaml'])).code).toBe(0);
    const exported = await yotta(['deploy', 'get', 'priv', '-o', 'yaml']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('\ncredential: acme\n');
    expect(exported.stdout).not.toContain('credentialId');
    writeFileSync(join(configDir, 'exported.yaml'), exported.stdout);
    const diff = await yotta(['deploy', 'diff', '-f', 'exported.yaml']);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    sb.requests.length = 0;
    const apply = await yotta(['deploy', 'apply', '-f', 'exported.yaml', '--json']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(writes()).toEqual([]);
    // Pointing the spec at another credential is a difference on credentialId.
    await createCredential('other');
    writeFileSync(join(configDir, 'changed.yaml'), exported.stdout.replace('credential: acme', 'credential: other'));
    const changed = await yotta(['deploy', 'diff', '-f', 'changed.yaml', '--json']);
    expect(changed.code).toBe(1);
    expect(JSON.stringify(JSON.parse(changed.stdout))).toContain(`"have":"${id}"`);
    // When another credential takes the same name, the name would not round-trip: the export keeps credentialId.
    const twin = await createCredential('acme');
    expect(twin).not.toBe(id);
    const ambiguous = await yotta(['deploy', 'get', 'priv', '-o', 'yaml']);
    expect(ambiguous.stdout).toContain(`\ncredentialId: "${id}"\n`);
  });
});

describe('the emulator and private images (built CLI, --sandbox)', () => {
  it('an image under registry.example.com/ without a valid credential FAILS (exit 9 with --wait), with a failure reason in the state; with one it runs', async () => {
    writeFileSync(join(configDir, 'none.yaml'), SPEC('no-cred'));
    const failed = await yotta(['deploy', 'create', '-f', 'none.yaml', '--wait'], { sandbox: true });
    expect(failed.code).toBe(9);
    expect(failed.stderr).toMatch(/no-cred .* turned FAILED/);
    writeFileSync(join(configDir, 'bad.yaml'), SPEC('bad-cred', 'credentialId: "111111111111111111"\n'));
    expect((await yotta(['deploy', 'create', '-f', 'bad.yaml', '--wait'], { sandbox: true })).code).toBe(9);

    const token = join(configDir, 'token.txt');
    writeFileSync(token, 'registry-token\n');
    const created = await yotta(['credential', 'create', 'acme', '--type', 'PRIVATE', '--username', 'robot', '--password-stdin'], { sandbox: true, stdin: readFileSync(token, 'utf8') });
    expect(created.code).toBe(0);
    writeFileSync(join(configDir, 'ok.yaml'), SPEC('with-cred', 'credential: acme\n'));
    const ok = await yotta(['deploy', 'create', '-f', 'ok.yaml', '--wait'], { sandbox: true });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Status:\s+RUNNING$/m);

    const state = JSON.parse(readFileSync(join(configDir, 'sandbox-state.json'), 'utf8')) as {
      credentials: Array<Record<string, unknown>>;
      deployments: Array<{ name: string; pods: Array<{ failureReason?: string }> }>;
    };
    expect(state.credentials.map((c) => c.name)).toEqual(['acme']);
    expect(Object.keys(state.credentials[0]!).sort()).toEqual(['createdAt', 'id', 'name', 'type', 'username']);
    const reason = (name: string) => state.deployments.find((d) => d.name === name)?.pods[0]?.failureReason;
    expect(reason('no-cred')).toMatch(/^failed to pull image "registry\.example\.com\/acme\/model:1": .*no credentialId was given/);
    expect(reason('bad-cred')).toMatch(/credential 111111111111111111 does not exist/);
    expect(reason('with-cred')).toBeUndefined();
    expect(readFileSync(join(configDir, 'sandbox-state.json'), 'utf8')).not.toContain('registry-token');
  });

  it('completion: `__complete credentials` offers names (with their type) and ids; the credential verbs and --credential complete from it', async () => {
    const id = await createCredential('acme', 'pw', 'GCR');
    const r = await yotta(['__complete', 'credentials']);
    expect(r).toMatchObject({ code: 0, stdout: `acme\tGCR\n${id}\tacme\n`, stderr: '' });
    const script = await yotta(['completion', 'bash']);
    expect(script.stdout).toContain('__complete "$kind"');
    for (const arm of ["'credential get|0') REPLY='credentials'", "'credential delete|'*) REPLY='credentials'", "'deploy create|--credential') REPLY='credentials'"]) {
      expect(script.stdout).toContain(arm);
    }
  });
});
