#!/usr/bin/env node
// Blocklist scale: load time and memory of a generated list of N names (default 1,000,000, hosts format), the
// cost of one lookup, and cache-hit ns/query with and without the list loaded. Run after `npm run build`:
//   node scripts/bench/blocklist.mjs [N] [hosts|plain|adblock]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { DEFAULTS } from '../../dist/config/schema.js';
import { buildCore } from '../../dist/main.js';
import { loadBlocklists } from '../../dist/policy/blocklist-load.js';

// The list is written by a first process; a fresh one (`--measure FILE`) loads it, so RSS shows the list alone.
// RSS is read before loading, at the end of loading, after a GC, and as the process's high-water mark (maxRSS).
if (process.argv[2] !== '--measure') {
  const n = Number(process.argv[2] ?? 1_000_000);
  const format = process.argv[3] ?? 'hosts';
  const shape = { hosts: (name) => `0.0.0.0 ${name}`, plain: (name) => name, adblock: (name) => `||${name}^` }[format];
  if (!shape) throw new Error(`format ${format}: hosts, plain or adblock`);
  const dir = mkdtempSync(join(tmpdir(), 'rootline-blbench-'));
  const file = join(dir, 'list.txt');
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(shape(`ad${i}.tracker${i % 5000}.example${i % 7}.com`));
  writeFileSync(file, lines.join('\n') + '\n');
  console.log(`list: ${n} lines (${format}), ${(statSync(file).size / 1048576).toFixed(1)} MB`);
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--measure', file], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
const list = process.argv[3];
const gc = globalThis.gc ?? (() => {});
const mb = (b) => (b / 1048576).toFixed(1);

gc();
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const lists = await loadBlocklists([list], []);
const loadMs = performance.now() - t0;
const rssEnd = process.memoryUsage().rss;
const rssMax = process.resourceUsage().maxRSS * 1024; // the process's high-water mark, loading included
gc();
const rssAfter = process.memoryUsage().rss;

const probes = ['ad123.tracker123.example4.com', 'www.notlisted.example.org', 'x.ad99999.tracker4999.example3.com'];
let found = 0;
const M = 2_000_000;
const t1 = process.hrtime.bigint();
for (let i = 0; i < M; i++) if (lists.blocked.match(probes[i % 3])) found++;
const lookupNs = Number(process.hrtime.bigint() - t1) / M;

async function hitNs(config) {
  const core = await buildCore({ ...DEFAULTS, rootHints: new URL('../../root-hints/named.root', import.meta.url).pathname, ...config }, { logger: pino({ level: 'silent' }) });
  const client = { address: '127.0.0.1', port: 40000, transport: 'udp' };
  const queries = ['localhost', 'a.localhost', 'b.localhost', 'c.localhost'].map((name, id) =>
    dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }),
  );
  for (const q of queries) await core.pipeline.handle(q, client);
  const K = 2_000_000;
  let sink = 0;
  const t = process.hrtime.bigint();
  for (let i = 0; i < K; i++) sink += core.pipeline.handle(queries[i & 3], client).length;
  if (sink === 0) throw new Error('no answers');
  return Number(process.hrtime.bigint() - t) / K;
}
const without = [];
const withList = [];
for (let r = 0; r < 3; r++) {
  without.push(await hitNs({}));
  withList.push(await hitNs({ blocklists: [list] }));
}
const min = (xs) => Math.min(...xs).toFixed(0);
console.log(`entries: ${lists.blocked.size}`);
console.log(`load: ${(loadMs / 1000).toFixed(2)} s`);
console.log(`set arrays: ${mb(lists.blocked.byteSize)} MB; RSS growth: ${mb(rssAfter - rssBefore)} MB after GC, ${mb(rssEnd - rssBefore)} MB at the end of loading, ${mb(rssMax - rssBefore)} MB at the peak`);
console.log(`lookup: ${lookupNs.toFixed(0)} ns (${found} of ${M} probes blocked)`);
console.log(`cache-hit ns/query, min of 3: without list ${min(without)}, with list ${min(withList)}`);
