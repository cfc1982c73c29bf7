/** `yotta deploy call`: one HTTP request to a RUNNING ALB deployment's own service, with the API key as Bearer token; the answer streams to stdout. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf, collect } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getDeployment } from '../../api/deployments.js';
import { callService, checkServiceUrl } from '../../api/service-call.js';
import { describeApiKeySource } from '../../config/settings.js';
import { parseDuration } from '../../duration.js';
import { ExitCode, UsageError, YottaError } from '../../errors.js';
import { looksSecret, maskKey } from '../../redact.js';
import { escapeControls } from '../../text.js';
import { safeText } from '../../output/format.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import type { DataInput } from '../request-input.js';
import { readData, readHeaders } from '../request-input.js';

/** Default `--idle-timeout`: a model may think a while before its first token. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** Headers yotta sets itself (or that describe the connection, not the request). */
const OWN_HEADERS = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'connection']);

/** Options of `deploy call`. */
export interface CallOptions {
  ref: string;
  /** The path on the service, with its query (default /). */
  path?: string;
  /** -X */
  request?: string;
  data?: string;
  header?: string[];
  include?: boolean;
  printCurl?: boolean;
  idleTimeout?: number;
  g: GlobalOptions;
}

/** Adds `deploy call` to the group. */
export function registerCall(group: Command, ctx: Context): void {
  group
    .command('call')
    .summary("send an HTTP request to a RUNNING ALB deployment's service")
    .description(
      "Send one HTTP request to a RUNNING ALB deployment's domain with your API key as `Authorization: Bearer` (the " +
        "documented way to call a deployed service), and stream the answer's body to stdout as it comes (exactly, when piped; " +
        'control characters escaped on a terminal). Exit 0 for a 2xx answer; otherwise 1, with the status line on stderr. ' +
        'The key goes only to the domain the API gives for the deployment, only over https (plain http only on a loopback host), ' +
        'and a redirect is never followed.',
    )
    .argument('<id|name>', 'the ALB deployment: id (18 digits) or exact name')
    .argument('[path]', "the path on the service, with any query, e.g. /v1/chat/completions (default /)")
    .addOption(new Option('-X, --request <method>', 'HTTP method (default: POST with -d, else GET)'))
    .option('-d, --data <text|@file|@->', 'request body: the text itself, @file to read a file, @- to read standard input (sent as it is)')
    .option('-H, --header <header|@file>', "a request header, 'Name: value'; @file reads one a line (repeatable)", collect)
    .option('-i, --include', "print the answer's status line and headers before its body")
    .option('--print-curl', 'print the equivalent curl command (the key as $YOTTA_API_KEY, never itself) instead of sending')
    .addOption(
      new Option('--idle-timeout <duration>', 'give up when the service sends nothing for this long, e.g. 30s, 10m (default 5m; no limit on the whole call)').argParser((v) =>
        parseDuration(v, '--idle-timeout'),
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy call my-alb /v1/models
  $ yotta deploy call my-alb /v1/chat/completions -d '{"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": true}'
  $ yotta deploy call my-alb /v1/chat/completions -d '{"messages": [{"role": "user", "content": "Hi"}]}' -H 'X-Trace: 1' --include
  $ yotta deploy call my-alb /v1/chat/completions -d '{"messages": []}' --print-curl`,
    )
    .action(async (ref: string, path: string | undefined, opts: Omit<CallOptions, 'ref' | 'path' | 'g'>, command: Command) => {
      await runCall({ ...opts, ref, path, g: globalsOf(command) }, ctx);
    });
}

/** A word for the shell, in single quotes. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The curl command for the call, with the key as $YOTTA_API_KEY. */
function curlLine(method: string, url: URL, headers: readonly [string, string][], data: DataInput | undefined): string {
  const parts = ['curl', '-sS', '-N'];
  if (method !== (data ? 'POST' : 'GET')) parts.push('-X', method);
  parts.push(shellQuote(url.href), '-H', '"Authorization: Bearer $YOTTA_API_KEY"');
  for (const [k, v] of headers) parts.push('-H', shellQuote(`${k}: ${v}`));
  if (data) {
    if (data.source.kind === 'file') parts.push('--data-binary', shellQuote(`@${data.source.path}`));
    else if (data.source.kind === 'stdin') parts.push('--data-binary', '@-');
    else parts.push('--data-binary', shellQuote(data.bytes.toString('utf8')));
  }
  return parts.join(' ');
}

function isJsonBody(bytes: Uint8Array): boolean {
  try {
    JSON.parse(Buffer.from(bytes).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Sends the request and streams the answer; see the command's description. */
export async function runCall(o: CallOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  const path = o.path ?? '/';
  const method = (o.request ?? (o.data !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) throw new UsageError(`-X: "${o.request}" is not an HTTP method; use one of ${METHODS.join(', ')}`);
  if ((method === 'GET' || method === 'HEAD') && o.data !== undefined) throw new UsageError(`-d sends a body, which -X ${method} does not take`);
  // Checked early, with a placeholder domain: a bad path is a usage error before anything is sent.
  checkServiceUrl('https://service.invalid', path);
  const ui = createUi(ctx, o.g);
  const given = await readHeaders(ctx, o.header);
  for (const h of given) {
    if (OWN_HEADERS.has(h.name.toLowerCase())) {
      throw new UsageError(
        `-H ${h.name}: yotta sets this header itself`,
        h.name.toLowerCase() === 'authorization' ? 'The API key is sent as `Authorization: Bearer <key>`; no other credential is needed.' : undefined,
      );
    }
  }
  for (const h of given) {
    if (!h.fromFile && looksSecret(h.name)) {
      ui.warn(`-H ${h.name}: a secret on the command line stays in your shell history; put the header in a file and pass -H @file`);
    }
  }
  const data = o.data !== undefined ? await readData(ctx, o.data) : undefined;
  const headers: [string, string][] = given.map((h) => [h.name, h.value]);
  if (data && !given.some((h) => h.name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', isJsonBody(data.bytes) ? 'application/json' : 'application/octet-stream']);
  }

  await withSession(ctx, o.g, ui, async (session) => {
    let d;
    try {
      const id = await resolveDeploymentId(session.client, ref);
      d = await getDeployment(session.client, id);
    } catch (err) {
      throw explainNotFound(err, ref);
    }
    if (d.serviceMode !== 'ALB') {
      throw new YottaError(
        `deployment ${ref} is a ${safeText(String(d.serviceMode))} deployment; only ALB deployments have a domain to call`,
        ExitCode.USAGE,
        d.serviceMode === 'QUEUE' ? `Submit a task instead: yotta task submit ${ref} -d '<json>' --path <route>` : undefined,
      );
    }
    if (d.status !== 'RUNNING') {
      throw new YottaError(
        `deployment ${ref} is ${safeText(String(d.status))}; only a RUNNING deployment answers calls`,
        ExitCode.STATE,
        d.status === 'STOPPED' ? `Start it with: yotta deploy start ${ref} --wait` : `Wait for it with: yotta deploy wait ${ref}`,
      );
    }
    if (typeof d.domain !== 'string' || d.domain === '') throw new YottaError(`deployment ${ref} has no domain yet; nothing was sent`, ExitCode.STATE);
    const url = checkServiceUrl(d.domain, path);

    if (o.printCurl) {
      ui.out(curlLine(method, url, headers, data));
      if (o.g.sandbox) ui.warn('this domain is served by the in-process sandbox of this command only; run `yotta sandbox` to keep one listening');
      else if (session.settings.apiKeySource !== 'env') {
        ui.warn(`the key in use comes from ${describeApiKeySource(session.settings) ?? 'your settings'}, not YOTTA_API_KEY: set YOTTA_API_KEY before running the curl command`);
      }
      return;
    }

    ui.debug(
      `call: ${method} ${url.href}\ncall:   > Authorization: Bearer ${maskKey(session.apiKey)}` + headers.map(([k, v]) => `\ncall:   > ${k}: ${looksSecret(k) ? maskKey(v) : v}`).join(''),
    );
    const onTty = ctx.stdout.isTTY;
    const decoder = new TextDecoder('utf-8');
    let location: string | undefined;
    const status = await callService({
      url,
      method,
      headers: { ...Object.fromEntries(headers), Authorization: `Bearer ${session.apiKey}`, 'User-Agent': `yotta-cli/${ctx.version} node/${ctx.nodeVersion}` },
      ...(data ? { body: data.bytes } : {}),
      idleTimeoutMs: o.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal: ctx.signal,
      env: ctx.env,
      sleep: ctx.sleep,
      onHead(head) {
        const loc = head.headers.location;
        location = Array.isArray(loc) ? loc[0] : loc;
        ui.debug(`call: → ${head.status}`);
        if (!o.include) return;
        let text = `HTTP/1.1 ${head.status}\r\n`;
        for (const [k, v] of Object.entries(head.headers)) {
          for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) text += `${k}: ${one}\r\n`;
        }
        ctx.stdout.write(onTty ? escapeControls(text, 'keep').replaceAll('\\u000d', '') + '\n' : text + '\r\n');
      },
      onChunk(chunk) {
        if (onTty) ctx.stdout.write(escapeControls(decoder.decode(chunk, { stream: true }), 'keep'));
        else ctx.stdout.write(chunk);
      },
    });
    if (onTty) {
      const rest = decoder.decode();
      if (rest) ctx.stdout.write(escapeControls(rest, 'keep'));
    }
    if (status >= 200 && status < 300) return;
    const redirect = status >= 300 && status < 400;
    throw new YottaError(
      `${method} ${url.origin}${url.pathname}: HTTP ${status}`,
      ExitCode.ERROR,
      redirect ? `A redirect${location ? ` to ${safeText(location)}` : ''} is not followed: the API key goes to the deployment's own domain only.` : undefined,
    );
  });
}
