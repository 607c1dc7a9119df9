#!/usr/bin/env node
// The dashboard's cost on the cache-hit path, A/B in one process: two cores built from the same config, one with
// web-listen set (every hit also goes into the query-log ring), answering the same cached names in alternating
// chunks of 20,000, so a change in the machine's load between chunks hits both alike. Prints ns per hit of
// each and the ratio (median over chunk pairs). Run after `npm run build`:
//   node scripts/bench/web-hit-ab.mjs [--queries N] [--aa]
// --aa builds both cores without the ring: what the same comparison reads when there is no difference (noise).
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { DEFAULTS } from '../../dist/config/schema.js';
import { buildCore } from '../../dist/main.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const N = arg('--queries', 4_000_000);
const CHUNK = 20_000;
const base = { ...DEFAULTS, rootHints: new URL('../../root-hints/named.root', import.meta.url).pathname };
const off = await buildCore(base, { logger: pino({ level: 'silent' }) });
const aa = process.argv.includes('--aa');
const on = await buildCore({ ...base, ...(aa ? {} : { webListen: '127.0.0.1:0' }) }, { logger: pino({ level: 'silent' }) });
if (!aa && (!on.shared.queryRing || off.shared.queryRing)) throw new Error('expected the ring in one core only');
const client = { address: '127.0.0.1', port: 40000, transport: 'udp' };
const queries = ['localhost', 'a.localhost', 'b.localhost', 'c.localhost'].map((name, id) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }),
);
for (const core of [off, on]) for (const q of queries) await core.pipeline.handle(q, client);
let sink = 0;
const run = (core) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHUNK; i++) sink += core.pipeline.handle(queries[i & 3], client).length;
  return Number(process.hrtime.bigint() - t0);
};
// Warm-up: both paths optimised before anything is counted.
for (let i = 0; i < 20; i++) {
  run(off);
  run(on);
}
const ratios = [];
let tOff = 0;
let tOn = 0;
for (let done = 0; done < N; done += CHUNK) {
  // Alternate which goes first.
  const first = (done / CHUNK) % 2 === 0;
  const a = first ? run(off) : 0;
  const b = run(on);
  const c = first ? 0 : run(off);
  tOff += a + c;
  tOn += b;
  ratios.push(b / (a + c));
  await new Promise((r) => setImmediate(r));
}
ratios.sort((x, y) => x - y);
const median = ratios[Math.floor(ratios.length / 2)];
console.log(`${aa ? 'A/A (no ring in either) ' : ''}web off: ${(tOff / N).toFixed(0)} ns/hit, web on (query-log ring): ${(tOn / N).toFixed(0)} ns/hit; on/off ${((tOn / tOff - 1) * 100).toFixed(1)}% overall, ${((median - 1) * 100).toFixed(1)}% median of ${ratios.length} chunk pairs${sink > 0 ? '' : ' (unexpected)'}`);
on.shared.queryRing?.close();
