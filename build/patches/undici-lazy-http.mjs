// node:http (ten modules, the HTTP server among them) is required by undici at load time for two
// things: a class to compare with when a request body stream is destroyed, and http.maxHeaderSize,
// read when a Client is created without maxHeaderSize (src/api/client.ts always gives Node's
// default). Both now require it where they are used.
// Saves: see `node build/measure-patches.mjs` (figures in README "Build patches").
const CLIENT = /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/;
const UTIL = /node_modules[\\/]undici[\\/]lib[\\/]core[\\/]util\.js$/;
export default {
  name: 'undici-lazy-http',
  saves: 'node:http and its ten modules on every command',
  files: /node_modules[\\/]undici[\\/]lib[\\/](dispatcher[\\/]client|core[\\/]util)\.js$/,
  replacements: [
    { file: CLIENT, from: "const http = require('node:http')\n", to: '' },
    {
      file: CLIENT,
      from: `const getDefaultNodeMaxHeaderSize = http &&
  http.maxHeaderSize &&
  Number.isInteger(http.maxHeaderSize) &&
  http.maxHeaderSize > 0
  ? () => http.maxHeaderSize
  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }`,
      to: `const getDefaultNodeMaxHeaderSize = () => {
  const http = require('node:http')
  if (http && http.maxHeaderSize && Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize
  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')
}`,
    },
    { file: UTIL, from: "const { IncomingMessage } = require('node:http')\n", to: '' },
    {
      file: UTIL,
      from: 'Object.getPrototypeOf(stream).constructor === IncomingMessage',
      to: "Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage",
    },
  ],
};
