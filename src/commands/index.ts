/** The top-level commands: what each is called and how to load it (see registry.ts for how they are registered). */
import type { LazyCommand } from './registry.js';

/** The top-level commands, in the order help lists them. */
export const COMMANDS: readonly LazyCommand[] = [
  { names: ['deploy'], load: async () => (await import('./deploy/index.js')).registerDeployCommands },
  { names: ['credential'], load: async () => (await import('./credential/index.js')).registerCredentialCommands },
  { names: ['task'], load: async () => (await import('./task/index.js')).registerTaskCommands },
  { names: ['auth'], load: async () => (await import('./auth/index.js')).registerAuthCommands },
  { names: ['config'], load: async () => (await import('./config.js')).registerConfigCommands },
  { names: ['sandbox'], load: async () => (await import('./sandbox.js')).registerSandboxCommand },
  { names: ['gpus'], load: async () => (await import('./gpus.js')).registerGpus },
  { names: ['completion'], load: async () => (await import('./completion.js')).registerCompletion },
  { names: ['__complete'], load: async () => (await import('./completion.js')).registerComplete },
];
