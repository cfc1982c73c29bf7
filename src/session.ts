/**
 * A session: the resolved settings, the UI and an API client for one command run.
 * With --sandbox the client talks to an in-process emulator whose state persists in the config folder.
 */
import type { Context } from './context.js';
import type { GlobalOptions } from './globals.js';
import type { TraceEvent } from './api/client.js';
import { ApiClient, validateBaseUrl } from './api/client.js';
import type { ResolvedSettings } from './config/settings.js';
import { requireApiKey, resolveSettings } from './config/settings.js';
import type { Ui } from './output/ui.js';
import { registerSecret } from './redact.js';

/** What a command needs to talk to the API. */
export interface Session {
  client: ApiClient;
  settings: ResolvedSettings;
  ui: Ui;
  /** The API key in use (the sandbox's with --sandbox): `deploy call` sends it to the deployment's own service. */
  apiKey: string;
  /** Releases the client's connections and stops an in-process sandbox. */
  close(): Promise<void>;
}

/** Opens a session for a command: resolves settings, checks the key, builds the client. No request is sent. */
export async function openSession(ctx: Context, g: GlobalOptions, ui: Ui): Promise<Session> {
  const settings = await resolveSettings(ctx, g);
  let stopSandbox: (() => Promise<void>) | undefined;
  let baseUrl = settings.baseUrl;
  let apiKey: string;
  if (g.sandbox) {
    const { startSandbox, sandboxOptionsFromEnv, defaultSandboxStatePath } = await import('./sandbox/index.js');
    const sandbox = await startSandbox({
      ...sandboxOptionsFromEnv(ctx.env),
      statePath: defaultSandboxStatePath(ctx),
      now: () => ctx.now(),
    });
    stopSandbox = () => sandbox.close();
    baseUrl = sandbox.url;
    apiKey = sandbox.apiKey;
  } else {
    apiKey = requireApiKey(settings);
    validateBaseUrl(baseUrl);
  }
  registerSecret(ctx, apiKey);
  const trace = g.debug ? (e: TraceEvent) => ui.debug(formatTrace(e)) : undefined;
  let client: ApiClient;
  try {
    client = new ApiClient({
      baseUrl,
      apiKey,
      userAgent: `yotta-cli/${ctx.version} node/${ctx.nodeVersion}`,
      timeoutMs: g.timeout,
      env: ctx.env,
      sleep: ctx.sleep,
      random: ctx.random,
      signal: ctx.signal,
      trace,
    });
  } catch (err) {
    // A bad --timeout or proxy variable: the in-process sandbox is already listening and would keep the process alive.
    await stopSandbox?.();
    throw err;
  }
  return {
    client,
    settings: { ...settings, baseUrl },
    ui,
    apiKey,
    async close() {
      try {
        await client.close();
      } finally {
        await stopSandbox?.();
      }
    },
  };
}

/** One --debug line per HTTP attempt; the client has already masked the key and secret values. */
function formatTrace(e: TraceEvent): string {
  const parts = [
    `${e.method} ${e.url}`,
    e.status !== undefined ? `→ ${e.status}` : `→ ${e.error ?? 'no response'}`,
    // In parentheses, so an error message ending in a flag does not run into the numbers.
    `(${Math.round(e.durationMs)}ms, attempt ${e.attempt})`,
  ];
  if (e.requestId) parts.push(`request-id ${e.requestId}`);
  let text = `http: ${parts.join(' ')}`;
  for (const [k, v] of Object.entries(e.requestHeaders)) text += `\nhttp:   > ${k}: ${v}`;
  if (e.requestBody) text += `\nhttp:   > ${e.requestBody}`;
  if (e.responseBody) text += `\nhttp:   < ${e.responseBody}`;
  return text;
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(ctx: Context, g: GlobalOptions, ui: Ui, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession(ctx, g, ui);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
