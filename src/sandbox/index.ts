/** The local Yotta API emulator (`yotta sandbox`, `--sandbox`, and the tests' server). */
export type { Sandbox, SandboxOptions, RecordedRequest, ServedRequest } from './server.js';
export { startSandbox, sandboxOptionsFromEnv, DEFAULT_SANDBOX_API_KEY, API_BASE_PATH, loadStateFile, saveStateFile } from './server.js';
export type { FaultRule, FaultKind } from './faults.js';
export { faultsFromEnv, FAULT_KINDS } from './faults.js';
export type { SandboxDelays } from './state.js';
export { DEFAULT_DELAYS, DEFAULT_DEPLOYMENT_LIMIT, DEFAULT_GPU_CAPACITY, FAIL_ENV_KEY, SANDBOX_CREATOR, DEFAULT_IMAGE_REGISTRY } from './state.js';
export { defaultSandboxStatePath, SANDBOX_STATE_FILE_NAME } from './paths.js';
export { GPU_HOURLY_RATES, H100_HOURLY_RATE, DISK_HOURLY_RATE_PER_GB } from './prices.js';
