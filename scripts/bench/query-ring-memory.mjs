#!/usr/bin/env node
// Live bytes of the dashboard's query-log ring when full: N slots of full-path queries (a name string of its own
// each, a policy and an EDE text on one in ten) and of cache hits (the answer-cache key, shared with the cache,
// so not counted here as it lives on in the cache anyway). Run after `npm run build`:
//   node --expose-gc scripts/bench/query-ring-memory.mjs [N]
import { QueryRing } from '../../dist/observe/query-ring.js';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const N = Number(process.argv[2] ?? 10_000);
const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};
const clients = Array.from({ length: 50 }, (_, i) => `192.168.1.${i + 2}`);
const base = heap();
const ring = new QueryRing(N);
const empty = heap() - base;
for (let i = 0; i < N; i++) {
  // A fresh name string per query, as the full path's decoded question gives (e.g. "host-1234.example-site.com").
  const name = `host-${i}.example-site-${i % 997}.com`;
  const blocked = i % 10 === 0;
  ring.push(clients[i % 50], 'udp', name, 'A', blocked ? 3 : 0, blocked ? 0 : 1, 12.5, false, blocked ? 'blocklist' : undefined, blocked ? `15 blocked by /etc/rootline/lists/ads.txt line ${i}: ${name}` : undefined);
}
const full = heap() - base;
console.log(`query ring of ${N}: ${(empty / 1024 / 1024).toFixed(2)} MB empty, ${(full / 1024 / 1024).toFixed(2)} MB full of full-path queries (${Math.round(full / N)} bytes a slot)`);
ring.close();
