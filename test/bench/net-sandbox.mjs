// The emulator for the benchmark's network rows, run by lib.mjs's startNetSandbox() with an IPC
// channel: `node net-sandbox.mjs BUNDLE_URL`, where BUNDLE_URL is src/sandbox bundled by run.mjs.
// Its first message lists the servers to start, each
//   { name, statePath, delays, deploymentLimit, gpuCapacity, latencyMs?, tls?: { keyFile, certFile } }
// (latencyMs: a latency fault on every request). Servers sharing a state file share deployments:
// the slow HTTPS one is measured, a fast plain one beside it prepares each run. It answers
// { ready: { name: url } }, then { id, op: 'handshakes', name } with { id, value }, and ends on SIGINT.
import { readFileSync } from 'node:fs';

const { startSandbox } = await import(process.argv[2]);
const sandboxes = new Map();

process.on('message', async (m) => {
  if (m.servers) {
    for (const s of m.servers) {
      const sb = await startSandbox({
        statePath: s.statePath,
        delays: s.delays,
        deploymentLimit: s.deploymentLimit,
        gpuCapacity: s.gpuCapacity,
        ...(s.latencyMs ? { faults: [{ kind: 'latency', ms: s.latencyMs, times: Number.MAX_SAFE_INTEGER }] } : {}),
        ...(s.tls ? { tls: { key: readFileSync(s.tls.keyFile), cert: readFileSync(s.tls.certFile) } } : {}),
      });
      sandboxes.set(s.name, sb);
    }
    process.send({ ready: Object.fromEntries([...sandboxes].map(([name, sb]) => [name, sb.url])) });
  } else if (m.op === 'handshakes') {
    process.send({ id: m.id, value: sandboxes.get(m.name)?.tlsHandshakes ?? 0 });
  }
});

process.on('SIGINT', async () => {
  for (const sb of sandboxes.values()) await sb.close();
  process.exit(0);
});
