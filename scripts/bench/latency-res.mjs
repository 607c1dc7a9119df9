#!/usr/bin/env node
// Runs inside the benchmark's resolver network namespace (started by latency.mjs with `ip netns exec`), once per
// loss level: each resolver in --order is started fresh (empty cache), asked every name once by the stub-like
// load generator, and stopped (by PID). Prints `RESULT {json}` at the end. Before each resolver (and before the
// result) it prints `PHASE <id>` and waits for `GO` on stdin, so the caller can read the proxy's upstream
// counters per resolver.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { stopProcess, killAllSync, stopAll, waitForDns, udpPortFree, procStats } from './proc.mjs';
import { resolverTargets } from './targets.mjs';
import { runStubLoad } from './stub-load.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    hints: { type: 'string' },
    names: { type: 'string' },
    work: { type: 'string' },
    port: { type: 'string', default: '5390' },
    concurrency: { type: 'string', default: '200' },
    order: { type: 'string', default: 'rootline,unbound' },
    'limit-sec': { type: 'string', default: '120' },
  },
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => stopAll().finally(() => process.exit(130)));
process.on('exit', killAllSync);

const goWaiters = [];
createInterface({ input: process.stdin }).on('line', (l) => { if (l.trim() === 'GO') goWaiters.shift()?.(); });
const phase = (id) => new Promise((r) => { goWaiters.push(r); console.log(`PHASE ${id}`); });

const names = readFileSync(opt.names, 'utf8').split('\n').filter(Boolean);
mkdirSync(opt.work, { recursive: true });
const targets = resolverTargets({ repo, rootHintsPath: opt.hints, workDir: opt.work, port: Number(opt.port), domains: Math.ceil(names.length / 2) });
const results = {};
for (const id of opt.order.split(',')) {
  const t = targets.find((x) => x.id === id);
  await phase(id);
  const r = { label: t.label, address: `${t.host}:${t.port}` };
  results[id] = r;
  let p;
  try {
    if (!(await udpPortFree(t.host, t.port))) throw new Error(`${t.host}:${t.port} is already in use`);
    p = t.start();
    r.command = t.command;
    const ready = await waitForDns(t.host, t.port, { proc: p, totalMs: 20000 });
    if (!ready.ok) throw new Error(`did not answer: ${ready.reason}`);
    r.readyMs = ready.ms;
    const { cpuSec: cpu0, sysSec: sys0 } = procStats(p.pid);
    const spans = [];
    Object.assign(r, await runStubLoad({ host: t.host, port: t.port, names, concurrency: Number(opt.concurrency), limitMs: Number(opt['limit-sec']) * 1000, spans }));
    // Each name's [first send, answer] (wall ms), for the round-trip accounting against the proxy's query log.
    r.spansFile = join(opt.work, `spans-${id}.json`);
    writeFileSync(r.spansFile, JSON.stringify(spans));
    const after = procStats(p.pid);
    r.cpuSec = Math.round((after.cpuSec - cpu0) * 100) / 100;
    r.cpuSysSec = Math.round((after.sysSec - sys0) * 100) / 100;
    r.peakRssMB = Math.round(procStats(p.pid).hwmKb / 102.4) / 10;
  } catch (e) {
    r.error = e.message;
  } finally {
    if (p) await stopProcess(p);
  }
  console.error(`[latency-res] ${t.label}: ${r.error ?? `mean ${r.meanMs} ms, p99 ${r.p99Ms} ms, SERVFAIL ${r.servfail}, unanswered ${r.unanswered}, wall ${r.wallSec} s`}`);
}
await phase('end');
console.log(`RESULT ${JSON.stringify(results)}`);
await stopAll();
process.exit(0);
