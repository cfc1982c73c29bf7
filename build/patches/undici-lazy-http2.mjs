// undici's Client requires its HTTP/2 half at load time, and with it node:http2 (which loads tls),
// though HTTP/2 is used only when a TLS server picks it by ALPN. Here that require waits for the
// first HTTP/2 connection.
// Saves (measured when it was added, `deploy list --json`): 36 ms and 13 MB peak RSS per command.
export default {
  name: 'undici-lazy-http2',
  saves: '36 ms and 13 MB peak RSS on every command',
  files: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
  replacements: [
    {
      file: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
      from: "const connectH2 = require('./client-h2.js')",
      to: "let connectH2Impl\nconst connectH2 = (client, socket) => (connectH2Impl ??= require('./client-h2.js'))(client, socket)",
    },
  ],
};
