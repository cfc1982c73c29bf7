/**
 * The deployment spec: schema, YAML loading with positions, interpolation, flags → spec merge and
 * request bodies. This barrel loads zod and yaml, so import it lazily on the run paths that read a
 * spec (`await import('../../spec/index.js')`). Command definitions import ./flags.js directly,
 * and ./deployment.js is light too.
 */
export { addSpecFlags, FIELD_FLAGS, specFromFlags } from './flags.js';
export type { SpecFlags } from './flags.js';
export { diffSpec, specFromDeployment } from './deployment.js';
export type { SpecDifference } from './deployment.js';
export { MAX_SPEC_BYTES, parseSpecText, readSpecFile, singleDoc } from './load.js';
export type { ParsedSpecDoc, SpecPosition } from './load.js';
export { buildCreateRequest, buildUpdateRequest } from './request.js';
export type { BuiltRequest } from './request.js';
export { checkSpec, deploySpecJsonSchema } from './schema.js';
export type { DeploySpec, DeploySpecInput, SchemaProblem, SpecMode, UpdateSpec } from './schema.js';
export { formatPath } from './paths.js';
export type { SpecPath } from './paths.js';
export { interpolate } from './interpolate.js';
