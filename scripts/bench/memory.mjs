#!/usr/bin/env node
// Live memory per cached name: resolves every name of a generated NSD lab in-process, forces GC before and after,
// and reports heap + external bytes per name (what RSS growth over a few thousand names cannot show, because V8
// grows its heap in large steps), split into the answer cache, the RRset cache and the rest (by emptying the
// caches one after the other). Needs root (NSD on port 53 of 127.89.x.x) and `npm run build`:
//   node --expose-gc scripts/bench/memory.mjs [domains]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { DEFAULTS } from '../../dist/config/schema.js';
import { buildCore } from '../../dist/main.js';
import { startHierarchy } from '../lib/hierarchy.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const domains = Number(process.argv[2] ?? 2000);
const lab = await startHierarchy({ workDir: mkdtempSync(join(tmpdir(), 'rootline-mem-')), domains, port: 53, prefix: '127.89', extra: false });
try {
  const core = await buildCore({ ...DEFAULTS, rootHints: lab.rootHintsPath }, { logger: pino({ level: 'silent' }) });
  const client = { address: '127.0.0.1', port: 1, transport: 'udp' };
  const ask = (name, id) => core.pipeline.handle(dnsPacket.encode({ type: 'query', id, flags: 256, questions: [{ name, type: 'A' }] }), client);
  const names = lab.names.a;
  await ask(names[0], 0);
  const live = () => {
    globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = live();
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n, j) => ask(n, j)));
  const after = live();
  const rss = process.memoryUsage().rss;
  console.log(`${names.length} names: ${core.rrsets.size} RRsets, ${core.answerCache.size} cached responses`);
  core.answerCache.flush();
  const withoutAnswers = live();
  core.rrsets.clear();
  const withoutRRsets = live();
  const per = (bytes) => (bytes / names.length).toFixed(0);
  console.log(`live heap + external per name: ${per(after - before)} bytes = ${(((after - before) / names.length) * 100_000 / 1e6).toFixed(0)} MB per 100,000 names (RSS ${(rss / 1e6).toFixed(0)} MB)`);
  console.log(`  answer cache ${per(after - withoutAnswers)}, RRset cache ${per(withoutAnswers - withoutRRsets)}, rest ${per(withoutRRsets - before)} bytes per name`);
} finally {
  await lab.stop();
}
process.exit(0);
