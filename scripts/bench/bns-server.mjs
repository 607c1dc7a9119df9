#!/usr/bin/env node
// The Node peer for the benchmark: bns's iterative RecursiveServer on one loopback address,
// with its root hints replaced by the lab's root servers (named.root format file).
// Usage: node scripts/bench/bns-server.mjs --listen 127.0.0.3:5300 --root-hints FILE [--cache-mb 512]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import bns from 'bns';

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    'root-hints': { type: 'string' },
    'cache-mb': { type: 'string', default: '512' },
  },
});
if (!values.listen || !values['root-hints']) {
  console.error('usage: bns-server.mjs --listen HOST:PORT --root-hints FILE [--cache-mb N]');
  process.exit(2);
}
const sep = values.listen.lastIndexOf(':');
const host = values.listen.slice(0, sep);
const port = Number(values.listen.slice(sep + 1));

// Hints.fromString parses zone-file text: the lab's `. NS x` and `x A addr` records become the hints.
const hints = new bns.Hints();
hints.fromString(readFileSync(values['root-hints'], 'utf8'));
if (hints.ns.length === 0) {
  console.error('bns-server: no usable root servers in', values['root-hints']);
  process.exit(2);
}
for (const addr of hints.inet4.values()) {
  if (!addr.startsWith('127.')) {
    console.error('bns-server: refusing non-loopback root server', addr);
    process.exit(2);
  }
}
hints.inet6.clear(); // loopback lab is IPv4 only

const server = new bns.RecursiveServer({
  tcp: true,
  inet6: false,
  edns: true,
  dnssec: false,
  minimize: false,
  hints,
  cacheSize: Number(values['cache-mb']) * 1024 * 1024,
});
server.on('error', (err) => {
  if (process.env.BNS_DEBUG) console.error('bns-server error:', err && err.message);
});

await server.open(port, host);
console.log(`bns-server listening on ${host}:${port} (${hints.ns.length} root servers)`);

const stop = async () => {
  try { await server.close(); } finally { process.exit(0); }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
