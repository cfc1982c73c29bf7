/** `yotta deploy diff -f FILE`: how the deployments named in a spec file differ from it, field by field. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { ActionErrorJson } from '../../output/render.js';
import type { SpecDifference } from '../../spec/index.js';
import type { DifferenceJson } from '../../services/plan.js';
import { createUi } from '../../output/ui.js';
import * as plan from '../../services/plan.js';
import { reportItemError, throwIfFailed } from '../../services/runner.js';
import { withSession } from '../../session.js';
import { resolveSpecCredentials } from '../../services/credentials.js';
import { listDeployments } from '../../api/deployments.js';
import * as render from '../../output/render.js';
import { ExitCode, QuietExit } from '../../errors.js';

/** Options of `deploy diff`. */
export interface DiffOptions {
  /** Spec file path; `-` reads stdin. May hold several documents separated by `---`. */
  file: string;
  /** Show environment values instead of masking them. */
  showEnv?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** What `-o json` prints for one document; the output is always an array of these, one per document. */
export interface DiffResultJson {
  /** The deployment name from the document. */
  name: string;
  /** The deployment's id; null when none has the name (every field is then a difference, `have` null). */
  id: string | null;
  /** Whether the deployment exists and every field the document sets matches; null when it could not be compared. */
  equal: boolean | null;
  /** `{path, want, have}` per differing field; `want`/`have` null where the field is absent. Environment values masked unless --show-env. */
  differences: DifferenceJson[];
  /** Only on a document that could not be compared (several files' documents): why. */
  error?: ActionErrorJson;
}

/** Adds `deploy diff` to the group. */
export function registerDiff(group: Command, ctx: Context): void {
  group
    .command('diff')
    .summary('compare a spec file with live deployments')
    .description('Compare each document of a spec file with the deployment of the same name, field by field.')
    .requiredOption('-f, --file <path>', 'spec file (YAML or JSON), several documents separated by ---; "-" reads stdin')
    .option('--show-env', 'show secret-looking environment values (TOKEN, SECRET, KEY, PASSWORD...; masked by default, in --json too)')
    .addHelpText(
      'after',
      `
Compare each document of a spec file with the deployment of the same name, field by
field: under each path, "- value" is what the deployment has (red) and "+ value" what
the spec asks for (green). Only the fields a document sets are compared. A deployment
that does not exist shows every field of the document as to be created. Environment
values whose names look secret are masked unless --show-env. Only reads are sent.

Exit 0 when everything matches and 1 when something differs (like
\`git diff --exit-code\`), so \`yotta deploy diff -f deploy.yaml || yotta deploy apply -f
deploy.yaml\` applies only when needed. Errors keep the usual codes (2 invalid spec or a
name several deployments share, 3 no key, 7 network, ...); with several documents, 10
when some could not be compared.

With --json: an array with one {name, id, equal, differences: [{path, want, have}]} per
document, whatever the file holds, as apply's (want/have null where absent; a document
that could not be compared also has "error").

Examples:
  $ yotta deploy diff -f deploy.yaml
  $ yotta deploy diff -f deploy.yaml --show-env
  $ yotta deploy diff -f deploy.yaml --json | jq -r '.[].differences[].path'
  $ yotta deploy diff -f deploy.yaml >/dev/null || yotta deploy apply -f deploy.yaml --restart`,
    )
    .action(async (flags: { file: string; showEnv?: boolean }, command: Command) => {
      await runDiff({ file: flags.file, showEnv: flags.showEnv, g: globalsOf(command) }, ctx);
    });
}

/** One document and how it compares. */
interface DiffItem {
  name: string;
  live?: ElasticDeploymentDetail;
  differences: SpecDifference[];
  error?: unknown;
}

/**
 * Reads the file (exit 2 on any problem, nothing sent), lists the deployments once and compares
 * each document; prints the differences and exits 0 (equal), 1 (different) or the error's code.
 */
export async function runDiff(opts: DiffOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, opts.g);
  const docs = await plan.readNamedDocs(opts.file, ctx);
  const showEnv = opts.showEnv === true;

  const items = await withSession(ctx, opts.g, ui, async (session) => {
    const reading = ui.spinner('Reading deployments…');
    let all: ElasticDeploymentDetail[];
    try {
      all = await listDeployments(session.client);
      await resolveSpecCredentials(session.client, docs);
    } finally {
      reading.stop();
    }
    return docs.map((doc): DiffItem => {
      const name = doc.spec.name ?? '';
      try {
        const live = plan.findByName(all, name, 'diff');
        return { name, live, differences: plan.differencesOf(doc.spec, live) };
      } catch (err) {
        return { name, differences: [], error: err };
      }
    });
  });

  const toJson = (item: DiffItem): DiffResultJson => {
    const base: DiffResultJson = {
      name: item.name,
      id: item.live?.id ?? null,
      equal: item.error !== undefined ? null : item.live !== undefined && item.differences.length === 0,
      differences: plan.differencesJson(plan.maskDifferences(item.differences, showEnv)),
    };
    if (item.error === undefined) return base;
    const failed = render.actionResultsJson([{ id: '', action: 'diff', ok: false, error: item.error }])[0]!;
    return { ...base, error: failed.error! };
  };

  const failed = items.filter((i) => i.error !== undefined);
  if (ui.machine) {
    // One document with an error: main prints the error alone, as for any other failed command.
    if (!(items.length === 1 && failed.length === 1)) {
      // Always an array, one entry per document, as apply's: one shape whatever the file holds.
      await render.printMachine(ui, items.map(toJson));
    }
  } else {
    const colors = ui.outColors;
    let first = true;
    for (const item of items) {
      if (item.error !== undefined) {
        if (items.length > 1) reportItemError(ui, item.error);
        continue;
      }
      const label = plan.docLabel(item.name, item.live);
      if (item.live && item.differences.length === 0) {
        ui.info(`${label}: no differences.`);
        continue;
      }
      const count = item.differences.length;
      const head = item.live
        ? `${colors.bold(label)}: ${count} difference${count === 1 ? '' : 's'} (- deployment, + spec)`
        : `${colors.bold(label)}: no deployment has this name; apply would create it with:`;
      const lines = plan.diffLines(plan.maskDifferences(item.differences, showEnv), colors, !showEnv);
      ui.out(`${first ? '' : '\n'}${head}\n${lines.join('\n')}`);
      first = false;
    }
  }

  throwIfFailed(items, (i) => i.name, 'documents', 'compared');
  if (items.some((i) => !i.live || i.differences.length > 0)) throw new QuietExit(ExitCode.ERROR, 'differences found');
}
