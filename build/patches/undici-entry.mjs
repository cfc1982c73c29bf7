// The parts of undici that src/api/client.ts uses (Agent, EnvHttpProxyAgent, request, errors),
// instead of undici/index.js, which also loads fetch, WebSocket, caches, cookies, mocks and every
// interceptor. `request` is undici's own top-level request() (index.js's makeDispatcher) reduced to
// the one way the client calls it: a full URL string and an explicit dispatcher. The proxy agent
// (with its SOCKS5 code) and the Dispatcher methods it needs (index.js's mixin: ProxyAgent opens its
// tunnel with dispatcher.connect) are loaded only when a proxy is configured.
// Saves (measured when it was added): undici loads in 60 ms instead of 140 ms.
export default {
  name: 'undici-entry',
  saves: 'undici loads in 60 ms instead of 140 ms',
  /** What `import('undici')` resolves to in the bundle. */
  entry: `
import Agent from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';
import errors from 'undici/lib/core/errors.js';
export { Agent, errors };
export class EnvHttpProxyAgent {
  constructor(opts) {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
    Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
    const Real = require('undici/lib/dispatcher/env-http-proxy-agent.js');
    return new Real(opts);
  }
}
export function request(url, opts) {
  if (typeof url !== 'string' || opts == null || opts.dispatcher == null) {
    throw new errors.InvalidArgumentError('yotta bundles undici.request(url: string, { dispatcher, ... }) only');
  }
  const { dispatcher, agent, ...rest } = opts;
  const u = new URL(url);
  return apiRequest.call(dispatcher, { ...rest, origin: u.origin, path: u.pathname + u.search, method: rest.method || (rest.body ? 'PUT' : 'GET') });
}
`,
};
