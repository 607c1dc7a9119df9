#!/usr/bin/env node
// Runs inside the benchmark's authoritative network namespace (started by latency.mjs with `ip netns exec`):
// the NSD hierarchy on the public (documentation) addresses at port --nsd-port, and the delay/loss proxy on the
// same addresses at port 53 in front of each server. Prints `READY {json}` when everything answers.
// Commands on stdin, one a line: `loss 0.05` (answered `LOSS 0.05`), `stats [reset]` (answered `STATS {json}`),
// `log FILE` (the proxy's query log since the last reset written to FILE as JSON; answered `LOGGED n`).
// Stops every NSD it started (by PID) on SIGTERM/SIGINT or when stdin closes.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { startHierarchy, stopAll } from '../lib/hierarchy.mjs';
import { startDelayProxy } from './delay-proxy.mjs';

const { values: opt } = parseArgs({
  options: {
    work: { type: 'string' },
    domains: { type: 'string' },
    addresses: { type: 'string' }, // JSON: { roots, tld, auth }
    delays: { type: 'string' }, // JSON: { root: [ms, jitter], tld: [...], auth: [...] }
    'nsd-port': { type: 'string', default: '5300' },
  },
});
const addresses = JSON.parse(opt.addresses);
const delays = JSON.parse(opt.delays);
const nsdPort = Number(opt['nsd-port']);

let hierarchy = null;
let proxy = null;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { proxy?.close(); } catch { /* best effort */ }
  try { await hierarchy?.stop(); } catch { /* best effort */ }
  await stopAll();
  process.exit(code);
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => stop(0));

try {
  hierarchy = await startHierarchy({ workDir: opt.work, domains: Number(opt.domains), port: nsdPort, addresses, extra: false });
  const role = (a) => (addresses.roots.includes(a) ? 'root' : Object.values(addresses.tld).includes(a) ? 'tld' : 'auth');
  const routes = hierarchy.servers.map((s) => {
    const [delayMs, jitterMs] = delays[role(s.address)];
    return { listen: s.address, port: 53, target: s.address, targetPort: nsdPort, delayMs, jitterMs, role: role(s.address), label: s.label };
  });
  proxy = await startDelayProxy({ routes, loss: 0 });
  console.log(`READY ${JSON.stringify({ rootHintsPath: hierarchy.rootHintsPath, names: hierarchy.names.a, servers: hierarchy.servers, routes })}`);
} catch (e) {
  console.error(`latency-auth: ${e.stack ?? e.message}`);
  await stop(1);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'loss') {
    proxy.setLoss(Number(arg));
    proxy.resetStats();
    console.log(`LOSS ${Number(arg)}`);
  } else if (cmd === 'stats') {
    console.log(`STATS ${JSON.stringify(proxy.stats())}`);
    if (arg === 'reset') proxy.resetStats();
  } else if (cmd === 'log') {
    const entries = proxy.queryLog();
    writeFileSync(arg, JSON.stringify(entries));
    console.log(`LOGGED ${entries.length}`);
  }
});
rl.on('close', () => stop(0));
