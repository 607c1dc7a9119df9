#!/usr/bin/env node
// Micro-benchmark of the cache-hit path alone (no sockets): ns per query through pipeline.handle() for answers
// already in the answer cache, next to a bare copy-and-patch of a ready buffer. Run after `npm run build`:
//   node scripts/bench/hit-path.mjs
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { DEFAULTS } from '../../dist/config/schema.js';
import { buildCore } from '../../dist/main.js';

const core = await buildCore({ ...DEFAULTS, rootHints: new URL('../../root-hints/named.root', import.meta.url).pathname }, { logger: pino({ level: 'silent' }) });
const client = { address: '127.0.0.1', port: 40000, transport: 'udp' };
// localhost names are answered locally and kept in the answer cache: no network needed.
const queries = ['localhost', 'a.localhost', 'b.localhost', 'c.localhost'].map((name, id) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }),
);
for (const q of queries) await core.pipeline.handle(q, client);
const N = 2_000_000;
let sink = 0;
let t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) sink += core.pipeline.handle(queries[i & 3], client).length;
const hit = Number(process.hrtime.bigint() - t0) / N;
const ready = Buffer.from(core.pipeline.handle(queries[0], client));
t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const q = queries[i & 3];
  const out = Buffer.allocUnsafe(ready.length);
  ready.copy(out);
  out[0] = q[0];
  out[1] = q[1];
  sink += out.length;
}
const bare = Number(process.hrtime.bigint() - t0) / N;
console.log(`pipeline.handle, answer-cache hit: ${hit.toFixed(0)} ns/query`);
console.log(`bare copy + ID patch:              ${bare.toFixed(0)} ns/query`);
console.log(sink > 0 ? '' : 'unexpected');
