/**
 * Proxy settings from the environment the CLI was given (ClientOptions.env, never the process environment),
 * following the curl/undici conventions: lower-case names win over upper-case ones, an HTTPS
 * request falls back to the HTTP proxy, and NO_PROXY lists hosts (with optional port) to reach directly.
 */
import { UsageError } from '../errors.js';

/** Proxy URLs and the bypass list, as undici's EnvHttpProxyAgent takes them ('' = none). */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function firstSet(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Accepts `proxy:3128` as curl does (scheme http), and refuses what is not a URL, naming only the variable (a proxy URL may hold a password). */
function proxyUrl(found: { name: string; value: string } | undefined): string {
  if (!found) return '';
  const text = found.value.includes('://') ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${found.name} is not a proxy URL`,
      `Set it to e.g. http://proxy.example.com:3128, or unset it to connect directly.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${found.name} uses ${url.protocol.replace(/:$/, '')}; only http and https proxies are supported`);
  }
  return text;
}

/** Reads the proxy variables; undefined when none is set, so that no proxy machinery is loaded. */
export function proxySettingsFromEnv(env: Env): ProxySettings | undefined {
  const http = firstSet(env, ['http_proxy', 'HTTP_PROXY']);
  const https = firstSet(env, ['https_proxy', 'HTTPS_PROXY']);
  if (!http && !https) return undefined;
  return {
    httpProxy: proxyUrl(http),
    httpsProxy: proxyUrl(https),
    noProxy: firstSet(env, ['no_proxy', 'NO_PROXY'])?.value ?? '',
  };
}
