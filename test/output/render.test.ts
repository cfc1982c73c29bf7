import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { printDeployment, printDeployments, printJson, printMachine, printWorkers, printYaml } from '../../src/output/render.js';
import { broken, llama, makeUi, worker, workers } from './fixtures.js';

const ANSI = /\u001b\[/; // eslint-disable-line no-control-regex

describe('printDeployments', () => {
  it('prints the table: ids whole, statuses as they came', async () => {
    const { ui, stdout, stderr } = makeUi();
    await printDeployments(ui, [llama, worker, broken]);
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID                   NAME           STATUS    WORKERS   GPU              REGION                $/HOUR
      378888638324150969   llama-3-8b     RUNNING   1/2       1× H100          us-east-1,eu-2        $1.85
      378888638324150970   batch-worker   STOPPED   0/0       2× RTX 4090 +1   us-west-1,us-east-2   $0.00
      378888638324150971   odd            PAUSED    0/1       -                -                     -
      "
    `);
    expect(stderr.text).toBe('');
  });

  it('adds image, mode, domain and cost with -o wide', async () => {
    const { ui, stdout } = makeUi({ output: 'wide' });
    await printDeployments(ui, [llama, worker, broken]);
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID                   NAME           STATUS    WORKERS   GPU              REGION                $/HOUR   IMAGE                     MODE     DOMAIN                               COST
      378888638324150969   llama-3-8b     RUNNING   1/2       1× H100          us-east-1,eu-2        $1.85    vllm/vllm-openai:v0.6.3   ALB      https://k3j9x2m4p8qa.yottadeos.com   $12.34
      378888638324150970   batch-worker   STOPPED   0/0       2× RTX 4090 +1   us-west-1,us-east-2   $0.00    ghcr.io/acme/batch:2      QUEUE    -                                    $0.00
      378888638324150971   odd            PAUSED    0/1       -                -                     -        x                         CUSTOM   -                                    -
      "
    `);
  });

  it('says "No deployments." on stderr and prints nothing on stdout for an empty list', async () => {
    const { ui, stdout, stderr } = makeUi();
    await printDeployments(ui, []);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('No deployments.\n');
  });

  it('keeps quiet about an empty list under --quiet', async () => {
    const { ui, stdout, stderr } = makeUi({ quiet: true });
    await printDeployments(ui, []);
    expect(stdout.text + stderr.text).toBe('');
  });

  it('prints the data exactly as received with --json, ids as strings, no colour', async () => {
    const { ui, stdout, stderr } = makeUi({ json: true }, { stdoutTTY: true, env: { FORCE_COLOR: '1' } });
    const list = [llama, broken, { ...worker, extra: { nested: [1, 2] } }];
    await printDeployments(ui, list);
    expect(stdout.text).toBe(JSON.stringify(list, null, 2) + '\n');
    expect(stdout.text).not.toMatch(ANSI);
    const back = JSON.parse(stdout.text) as { id: unknown }[];
    expect(back.map((d) => d.id)).toEqual(['378888638324150969', '378888638324150971', '378888638324150970']);
    expect(stderr.text).toBe('');
  });

  it('prints [] for an empty list with --json and nothing on stderr', async () => {
    const { ui, stdout, stderr } = makeUi({ output: 'json' });
    await printDeployments(ui, []);
    expect(stdout.text).toBe('[]\n');
    expect(stderr.text).toBe('');
  });

  it('prints YAML with -o yaml; ids stay strings when read back', async () => {
    const { ui, stdout } = makeUi({ output: 'yaml' });
    await printDeployments(ui, [llama]);
    expect(stdout.text).toContain('- id: "378888638324150969"\n');
    expect(stdout.text).not.toMatch(ANSI);
    expect(parseYaml(stdout.text)).toEqual([llama]);
  });

  it('shows the same rows in the same order on a terminal and on a pipe', async () => {
    const tty = makeUi({}, { stdoutTTY: true, env: { NO_COLOR: '1' } });
    const pipe = makeUi();
    await printDeployments(tty.ui, [llama, worker, broken]);
    await printDeployments(pipe.ui, [llama, worker, broken]);
    expect(tty.stdout.text).toBe(pipe.stdout.text);
  });

  it('cuts long names to fit a narrow terminal but never an id', async () => {
    const long = { ...llama, name: 'a-very-long-deployment-name-that-goes-on-and-on-and-on' };
    const { ui, stdout } = makeUi({}, { stdoutTTY: true, env: { NO_COLOR: '1' } });
    stdout.columns = 90;
    await printDeployments(ui, [long]);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines[1]).toContain('378888638324150969');
    expect(lines[1]).toContain('a-very-lo');
    expect(lines[1]).toContain('…');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(90);
    // A pipe gets every character, whatever the width.
    const pipe = makeUi();
    pipe.stdout.columns = 90;
    await printDeployments(pipe.ui, [long]);
    expect(pipe.stdout.text).toContain(long.name);
  });

  it('escapes control characters from the server instead of sending them to the terminal', async () => {
    const { ui, stdout } = makeUi();
    await printDeployments(ui, [{ ...llama, name: 'evil\u001b[2Jname\nnext' }]);
    expect(stdout.text).not.toMatch(ANSI);
    expect(stdout.text).toContain('evil\\u001b[2Jname\\nnext');
    expect(stdout.text.trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('printDeployment', () => {
  it('prints every field, grouped, with secret-looking environment values masked and the others shown', async () => {
    const { ui, stdout } = makeUi();
    await printDeployment(ui, { ...llama, createdAt: '2026-11-27T11:00:00Z', labels: { team: 'ml' } });
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID:            378888638324150969
      Name:          llama-3-8b
      Status:        RUNNING
      Service mode:  ALB
      Image:         vllm/vllm-openai:v0.6.3
      Registry:      docker.io
      Creator:       ada@example.com
      Domain:        https://k3j9x2m4p8qa.yottadeos.com

      Workers
        1/2 running

      Resources
        REGION                  GPU                      COUNT   VRAM/CARD   VCPU/CARD   RAM/CARD
        us-east-1 (US East 1)   H100 (NVIDIA_H100_80G)   1       80 GB       16          128 GB
        eu-2                    H100 (NVIDIA_H100_80G)   1       80 GB       16          128 GB

      Requirements
        Min VRAM per card:  80 GB
        Min vCPU per card:  8
        Min RAM per card:   64 GB

      Storage
        Container volume:  100 GB

      Command
        python3 -m vllm.entrypoints.openai.api_server \\
          --model meta-llama/Meta-Llama-3-8B

      Environment
        HF_TOKEN:   ••••
        LOG_LEVEL:  debug

      Expose
        8000/HTTP

      Cost
        Billed now:   $1.85/h
        All workers:  $3.70/h
        Accrued:      $12.34

      Other
        createdAt:  2026-11-27T11:00:00Z
        labels:     {"team":"ml"}
      "
    `);
    expect(stdout.text).not.toContain('hf_abcdefghijklmnop');
  });

  it('shows environment values with showEnv', async () => {
    const { ui, stdout } = makeUi();
    await printDeployment(ui, llama, { showEnv: true });
    expect(stdout.text).toContain('HF_TOKEN:   hf_abcdefghijklmnop\n');
    expect(stdout.text).toContain('LOG_LEVEL:  debug\n');
  });

  it('leaves out what is missing', async () => {
    const { ui, stdout } = makeUi();
    await printDeployment(ui, broken);
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID:            378888638324150971
      Name:          odd
      Status:        PAUSED
      Service mode:  CUSTOM
      Image:         x

      Workers
        0/1 running

      Storage
        Container volume:  10 GB
      "
    `);
  });

  it('prints the deployment as received with --json', async () => {
    const { ui, stdout } = makeUi({ json: true });
    await printDeployment(ui, llama);
    expect(JSON.parse(stdout.text)).toEqual(llama);
    expect(stdout.text).toBe(JSON.stringify(llama, null, 2) + '\n');
  });
});

describe('printWorkers', () => {
  it('prints the workers table', async () => {
    const { ui, stdout } = makeUi();
    await printWorkers(ui, workers);
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID                   STATUS       REGION      GPU                  UPTIME   COST
      378888638324151001   RUNNING      us-east-1   1× H100              1h02m    $3.83
      378888638324151002   INITIALIZE   eu-2        1× NVIDIA_H100_80G   1m05s    $0.06
      378888638324151003   FAILED       -           -                    -        -
      "
    `);
  });

  it("adds the region's display name and per-card sizes with -o wide", async () => {
    const { ui, stdout } = makeUi({ output: 'wide' });
    await printWorkers(ui, workers);
    expect(stdout.text).toMatchInlineSnapshot(`
      "ID                   STATUS       REGION                GPU                  UPTIME   COST    VRAM/CARD   VCPU/CARD   RAM/CARD
      378888638324151001   RUNNING      us-east-1 (US East)   1× H100              1h02m    $3.83   80 GB       16          128 GB
      378888638324151002   INITIALIZE   eu-2                  1× NVIDIA_H100_80G   1m05s    $0.06   -           -           -
      378888638324151003   FAILED       -                     -                    -        -       -           -           -
      "
    `);
  });

  it('says "No workers." on stderr for an empty list', async () => {
    const { ui, stdout, stderr } = makeUi();
    await printWorkers(ui, []);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('No workers.\n');
  });

  it('prints workers as received with -o json and -o yaml', async () => {
    const json = makeUi({ output: 'json' });
    await printWorkers(json.ui, workers);
    expect(JSON.parse(json.stdout.text)).toEqual(workers);
    const yaml = makeUi({ output: 'yaml' });
    await printWorkers(yaml.ui, workers);
    expect(parseYaml(yaml.stdout.text)).toEqual(workers);
  });
});

describe('colour', () => {
  it('colours statuses when FORCE_COLOR is set, even on a pipe', async () => {
    const { ui, stdout } = makeUi({}, { env: { FORCE_COLOR: '1' } });
    await printDeployments(ui, [llama, worker, broken, { ...broken, status: 'FAILED' }, { ...broken, status: 'STOPPING' }]);
    expect(stdout.text).toContain('\u001b[32mRUNNING\u001b[39m');
    expect(stdout.text).toContain('\u001b[2mSTOPPED\u001b[22m');
    expect(stdout.text).toContain('\u001b[31mFAILED\u001b[39m');
    expect(stdout.text).toContain('\u001b[33mSTOPPING\u001b[39m');
    // An unknown status is shown as it came, uncoloured.
    expect(stdout.text).toMatch(/ PAUSED /);
  });

  it('colours worker statuses on a terminal', async () => {
    const { ui, stdout } = makeUi({}, { stdoutTTY: true });
    await printWorkers(ui, workers);
    expect(stdout.text).toContain('\u001b[32mRUNNING\u001b[39m');
    expect(stdout.text).toContain('\u001b[33mINITIALIZE\u001b[39m');
    expect(stdout.text).toContain('\u001b[31mFAILED\u001b[39m');
  });

  it.each([
    ['NO_COLOR on a terminal', {}, { stdoutTTY: true, env: { NO_COLOR: '1' } }],
    ['--no-color on a terminal', { color: false }, { stdoutTTY: true }],
    ['--no-color beats FORCE_COLOR', { color: false }, { stdoutTTY: true, env: { FORCE_COLOR: '1' } }],
    ['a pipe', {}, {}],
    ['TERM=dumb', {}, { stdoutTTY: true, env: { TERM: 'dumb' } }],
  ] as const)('has no colour with %s', async (_name, g, run) => {
    const { ui, stdout } = makeUi(g, run);
    await printDeployments(ui, [llama, worker]);
    await printDeployment(ui, llama);
    await printWorkers(ui, workers);
    expect(stdout.text).toContain('RUNNING');
    expect(stdout.text).not.toMatch(ANSI);
  });
});

describe('printJson / printYaml / printMachine', () => {
  it('keeps digit-string ids and turns bigints into digit strings', async () => {
    const { ui, stdout } = makeUi({ json: true });
    printJson(ui, { id: '378888638324150969', big: 378888638324150969n });
    expect(JSON.parse(stdout.text)).toEqual({ id: '378888638324150969', big: '378888638324150969' });
  });

  it('prints null for undefined', async () => {
    const { ui, stdout } = makeUi({ json: true });
    printJson(ui, undefined);
    expect(stdout.text).toBe('null\n');
  });

  it('does not fold long strings in YAML', async () => {
    const { ui, stdout } = makeUi({ output: 'yaml' });
    const command = 'x '.repeat(100).trim();
    await printYaml(ui, { command });
    expect(stdout.text).toBe(`command: ${command}\n`);
  });

  it('leaves table and wide to the caller', async () => {
    for (const output of ['table', 'wide'] as const) {
      const { ui, stdout } = makeUi({ output });
      expect(await printMachine(ui, { a: 1 })).toBe(false);
      expect(stdout.text).toBe('');
    }
  });
});
