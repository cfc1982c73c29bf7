/**
 * The one schema of a deployment spec (zod 4): the source of the TypeScript types, of validation
 * and of the JSON Schema in deploy.schema.json that editors use. Field names are the API's own.
 * This module loads zod, so only the create/update/apply run paths import it (lazily).
 */
import * as z from 'zod';
import { SERVICE_MODES } from '../api/types.js';
import type { ServiceMode } from '../api/types.js';
import { describeValue, showValue } from './describe.js';
import { formatPath } from './paths.js';
import type { SpecPath } from './paths.js';
import { didYouMean } from './suggest.js';

/** The documented name rule, less the 50-character limit (checked separately for a clearer message). */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9@._-]*$/;

/** Upper bound of minSingleCardVramInGb and minSingleCardRamInGb. */
export const MAX_MIN_SINGLE_CARD_GB = 1536;

/** `[Aa][Ll][Bb]`: case-insensitive without regex flags, which JSON Schema patterns cannot carry. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

const SERVICE_MODE_PATTERN = new RegExp(`^(${SERVICE_MODES.map(anyCase).join('|')})$`);
const PROTOCOL_PATTERN = new RegExp(`^${anyCase('HTTP')}$`);

const nameField = z
  .string()
  .max(50)
  .regex(NAME_PATTERN, { error: (iss) => `must start with a letter and contain only letters, digits and @._-, got ${showValue(iss.input)}` })
  .describe('Deployment name: starts with a letter; letters, digits and @._- only; at most 50 characters.');

const imageField = z.string().min(1).max(255).describe('Container image, e.g. vllm/vllm-openai:latest (1-255 characters).');

const imageRegistryField = z
  .string()
  .describe('Image registry URL, e.g. https://registry.example.com; leave out for Docker Hub. Cannot be changed by update.');

const resourceSchema = z
  .strictObject({
    region: z.string().min(1).describe('Region where workers may run, e.g. us-east-1.'),
    gpuType: z.string().min(1).describe('GPU type code, e.g. NVIDIA_H100_80G (see `yotta gpus`).'),
    gpuCount: z.int().min(1).describe('GPUs per worker; the same in every resource; powers of two (1, 2, 4, 8).'),
  })
  .describe('One place workers may run: a region and a GPU type.');

const resourcesField = z
  .array(resourceSchema)
  .min(1)
  .describe('Where workers may run; each entry must have the same gpuCount.');

const cardGbField = (what: string) =>
  z.int().min(0).max(MAX_MIN_SINGLE_CARD_GB).describe(`Minimum ${what} per GPU card in GB (0-${MAX_MIN_SINGLE_CARD_GB}).`);

const serviceModeField = z
  .string()
  .regex(SERVICE_MODE_PATTERN, { error: (iss) => `must be ALB, QUEUE or CUSTOM, got ${showValue(iss.input)}` })
  .transform((s) => s.toUpperCase() as ServiceMode)
  .meta({ examples: [...SERVICE_MODES] })
  .describe('ALB (HTTP behind a load balancer; needs expose), QUEUE or CUSTOM, in any case. Cannot be changed by update.');

/** Numbers and booleans are allowed as values and sent as text, so `PORT: 8080` needs no quotes. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const envEntry = z
  .strictObject({ key: z.string().min(1).describe('Variable name.'), value: envValue.describe('Variable value.') })
  .describe('One environment variable.');

// Duplicate names in the list form are checked in checks.ts, so they are reported with every other problem.
const envList = z.array(envEntry);

const envMap = z.record(z.string().min(1), envValue);

const environmentVarsField = z
  .union([envList, envMap])
  .transform((v) => (Array.isArray(v) ? v : Object.entries(v).map(([key, value]) => ({ key, value }))))
  .describe('Environment variables of every worker: a mapping (NAME: value) or a list of {key, value}. ${VAR} and ${VAR:-default} are filled from your environment.');

const exposeField = z
  .strictObject({
    port: z.int().min(1).max(65535).describe('Port your service listens on (1-65535).'),
    protocol: z
      .string()
      .regex(PROTOCOL_PATTERN, { error: (iss) => `must be HTTP, got ${showValue(iss.input)}` })
      .transform(() => 'HTTP')
      .default('HTTP')
      .describe('Only HTTP is supported (the default).'),
  })
  .describe('The port workers expose; required when serviceMode is ALB.');

/** Every field of a spec, each optional: a file may hold part of a spec and flags the rest. */
const fields = {
  name: nameField.optional(),
  image: imageField.optional(),
  imageRegistry: imageRegistryField.optional(),
  resources: resourcesField.optional(),
  minSingleCardVramInGb: cardGbField('VRAM').optional(),
  minSingleCardVcpu: z.int().min(0).describe('Minimum vCPUs per GPU card.').optional(),
  minSingleCardRamInGb: cardGbField('RAM').optional(),
  containerVolumeInGb: z.number().positive().describe('Size of the container ephemeral volume in GB.').optional(),
  credentialId: z.string().describe('Id of the registry credential for a private image.').optional(),
  credential: z
    .string()
    .describe('Name (or id) of the registry credential for a private image, resolved to credentialId before anything is sent (see `yotta credential list`); "" means none. Instead of credentialId.')
    .optional(),
  // 0 is allowed in a file because update takes it; create asks for at least 1 below.
  workers: z.int().min(0).describe('Number of workers (at least 1 to create; 0 allowed by update).').optional(),
  serviceMode: serviceModeField.optional(),
  initializationCommand: z.string().describe('Command run when a worker starts.').optional(),
  environmentVars: environmentVarsField.optional(),
  expose: exposeField.optional(),
};

/** The schema of one document of a spec file. */
export const fileSpecSchema = z.strictObject(fields).meta({
  title: 'Yotta deployment spec',
  description: 'A deployment for `yotta deploy create -f`, `update -f` and `apply -f`. Field names are those of the Elastic Deployment API.',
});

/** What `yotta deploy create` needs: the create body's required fields present. */
export const createSpecSchema = z.strictObject({
  ...fields,
  name: nameField,
  image: imageField,
  resources: resourcesField,
  containerVolumeInGb: fields.containerVolumeInGb.unwrap(),
  workers: z.int().min(1).describe('Number of workers.'),
  serviceMode: serviceModeField,
  initializationCommand: fields.initializationCommand.unwrap(),
});

/** What `yotta deploy update` needs; workers may be 0 (a stopped deployment scaled to zero). */
export const updateSpecSchema = z.strictObject({
  ...fields,
  name: nameField,
  resources: resourcesField,
  containerVolumeInGb: fields.containerVolumeInGb.unwrap(),
  workers: z.int().min(0).describe('Number of workers.'),
});

/** A complete deployment spec, normalised: serviceMode upper-case, environmentVars a list. */
export type DeploySpec = z.output<typeof createSpecSchema>;
/** A spec as a user may write it: environmentVars a list or a mapping, serviceMode in any case. */
export type DeploySpecInput = z.input<typeof createSpecSchema>;
/** A normalised spec accepted by update (every field the update body takes, plus the unchangeable ones). */
export type UpdateSpec = z.output<typeof updateSpecSchema>;

/** Which set of rules a spec is checked against. */
export type SpecMode = 'file' | 'create' | 'update';

/** A problem found by the schema: where (`at` the value, the key itself, or the mapping that lacks it) and what. */
export interface SchemaProblem {
  path: SpecPath;
  message: string;
  at: 'value' | 'key' | 'parent';
  /** Set for a missing required key. */
  missing?: boolean;
}

/** The keys a mapping may hold at a path, for "did you mean" suggestions. */
export function knownKeysAt(path: SpecPath): string[] {
  if (path.length === 0) return Object.keys(fields);
  if (path[0] === 'resources' && path.length === 2) return Object.keys(resourceSchema.shape);
  if (path[0] === 'expose' && path.length === 1) return Object.keys(exposeField.shape);
  if (path[0] === 'environmentVars' && path.length === 2) return Object.keys(envEntry.shape);
  return [];
}

const TOO_LARGE = 'is too large';

const NOUNS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function noun(expected: unknown): string {
  return NOUNS[String(expected)] ?? String(expected);
}

/** Whether the schema that raised an issue is z.int() (zod reports its type mismatches as `expected number`). */
function isInteger(inst: unknown): boolean {
  return (inst as { _zod?: { def?: { format?: string } } } | undefined)?._zod?.def?.format === 'safeint';
}

/** Our wording of zod's issues: what was expected and what was there (`must be an integer, got 2.5`). */
const issueMessage: z.core.$ZodErrorMap = (iss) => {
  const got = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      if (typeof iss.input === 'number' && !Number.isFinite(iss.input)) return `must be a finite number, got ${got}`;
      return `must be ${isInteger(iss.inst) ? 'an integer' : noun(iss.expected)}, got ${got}`;
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
      if (iss.origin === 'array') return `must have at least ${min} ${min === 1 ? 'entry' : 'entries'}`;
      return iss.inclusive === false ? `must be greater than ${min}, got ${got}` : `must be at least ${min}, got ${got}`;
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'string') return `must be at most ${max} characters long, got ${String(iss.input).length}`;
      if (iss.origin === 'array') return `must have at most ${max} entries`;
      if (max === Number.MAX_SAFE_INTEGER) return `${TOO_LARGE}, got ${got}`;
      return `must be at most ${max}, got ${got}`;
    }
    case 'invalid_key':
      return 'names must not be empty';
    default:
      return undefined;
  }
};

/** Rewrites one zod issue (recursively for unions) as schema problems. */
function problemsOf(iss: z.core.$ZodIssue, prefix: SpecPath, out: SchemaProblem[]): void {
  const path = [...prefix, ...(iss.path as SpecPath)];
  if (iss.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    for (const key of iss.keys) {
      const suggestion = didYouMean(key, known);
      out.push({ path: [...path, key], at: 'key', message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
    }
    return;
  }
  const input = (iss as { input?: unknown }).input;
  if ((iss.code === 'invalid_type' || iss.code === 'invalid_union') && input === undefined) {
    out.push({ path, at: 'parent', missing: true, message: `missing required key "${String(path.at(-1))}"` });
    return;
  }
  if (iss.code === 'invalid_union') {
    // Follow the branch whose overall shape matched (a list, or a mapping); when none did, say what was allowed.
    const rootMismatch = (errs: z.core.$ZodIssue[]) => errs.length > 0 && errs.every((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_union'));
    const branch = iss.errors.find((errs) => !rootMismatch(errs));
    if (branch) {
      for (const e of branch) problemsOf(e, path, out);
      return;
    }
    const expected = [...new Set(iss.errors.flat().map((e) => (e.code === 'invalid_type' ? noun(e.expected) : 'something else')))];
    const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : (expected[0] ?? 'something else');
    out.push({ path, at: 'value', message: `must be ${list}, got ${describeValue(input)}` });
    return;
  }
  out.push({ path, at: 'value', message: iss.message });
}

const SCHEMAS = { file: fileSpecSchema, create: createSpecSchema, update: updateSpecSchema } as const;

/** The outcome of checking a value: the normalised spec when there was no problem. */
export type SchemaResult<T> = { ok: true; data: T } | { ok: false; problems: SchemaProblem[] };

/** Checks `value` against the rules of `mode`, returning every problem. */
export function checkSpec(value: unknown, mode: 'file'): SchemaResult<Partial<DeploySpec>>;
export function checkSpec(value: unknown, mode: 'create'): SchemaResult<DeploySpec>;
export function checkSpec(value: unknown, mode: 'update'): SchemaResult<UpdateSpec>;
export function checkSpec(value: unknown, mode: SpecMode): SchemaResult<Partial<DeploySpec> | DeploySpec | UpdateSpec> {
  const result = SCHEMAS[mode].safeParse(value, { error: issueMessage, reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  const problems: SchemaProblem[] = [];
  for (const iss of result.error.issues) problemsOf(iss, [], problems);
  // A number past the safe range also breaks the field's own maximum; one message is enough.
  const specific = new Set(problems.filter((p) => !p.message.startsWith(TOO_LARGE)).map((p) => formatPath(p.path)));
  return { ok: false, problems: problems.filter((p) => !(p.message.startsWith(TOO_LARGE) && specific.has(formatPath(p.path)))) };
}

/** The JSON Schema of a spec file, generated from the zod schema (committed as src/spec/deploy.schema.json). */
export function deploySpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(fileSpecSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}
