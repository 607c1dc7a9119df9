#!/usr/bin/env node
// `npm run bench`: rootline vs Unbound vs bns (plus NSD-direct and bare-Node ceilings) on a loopback NSD
// hierarchy. Cold resolution, cache-hit load and memory, in one bounded run; writes .bench-out/results.{json,md}.
// Every process it starts is stopped by PID at the end, also on error, SIGINT and SIGTERM.
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { stopProcess, killAllSync, stopAll, waitForDns, udpPortFree, procStats } from './proc.mjs';
import { dnsperf, mergeRuns } from './dnsperf.mjs';
import { resolverTargets, bareTarget } from './targets.mjs';
import { ratios, markdown } from './report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values: opt } = parseArgs({
  options: {
    domains: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    'cold-outstanding': { type: 'string', default: '50' },
    'cold-limit': { type: 'string', default: '120' },
    'max-qps': { type: 'string' },
    only: { type: 'string', default: 'rootline,unbound,bns,nsd-direct,bare-node' },
    port: { type: 'string', default: '5390' },
    out: { type: 'string', default: join(repo, '.bench-out') },
    'max-minutes': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench -- [options]
  --domains N           second-level domains in the lab hierarchy (default 2000)
  --duration S          seconds of cache-hit load per server (default 10)
  --clients N           dnsperf clients (default 4)
  --cold-outstanding N  concurrent queries in the cold phase (default 50)
  --cold-limit S        hard cap on the cold phase (default 120)
  --max-qps N           dnsperf -Q for the cache-hit phase (default: none, as fast as it goes)
  --only LIST           subset of rootline,unbound,bns,nsd-direct,bare-node
  --port P              port for the servers under test on 127.0.0.21-25 (default 5390)
  --out DIR             output directory (default .bench-out)
  --max-minutes M       the whole run is aborted after this long (default 10)
quick smoke run: npm run bench -- --duration 3 --domains 300`);
  process.exit(0);
}
const settings = {
  domains: Number(opt.domains),
  duration: Number(opt.duration),
  clients: Number(opt.clients),
  coldOutstanding: Number(opt['cold-outstanding']),
  coldLimit: Number(opt['cold-limit']),
  maxQps: opt['max-qps'] ? Number(opt['max-qps']) : undefined,
  port: Number(opt.port),
  only: new Set(opt.only.split(',').map((s) => s.trim())),
};
for (const [k, v] of Object.entries(settings)) {
  if (typeof v === 'number' && !(v > 0)) throw new Error(`--${k} must be a positive number`);
}

let hierarchy = null;
let hierarchyMod = null;
let cleaning = false;
async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  await stopAll();
  try { if (hierarchy) await hierarchy.stop(); } catch (e) { console.error('hierarchy.stop failed:', e.message); }
  try { if (hierarchyMod?.stopAll) await hierarchyMod.stopAll(); } catch { /* best effort */ }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping every process this run started`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAllSync);
const deadline = setTimeout(() => {
  console.error(`bench: aborted after --max-minutes ${opt['max-minutes']}`);
  cleanup().finally(() => process.exit(1));
}, Number(opt['max-minutes']) * 60_000);

const log = (...a) => console.log('[bench]', ...a);
const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

/** A tool's version from its output (stdout or stderr, whatever its exit code); null if it cannot run. */
function toolVersion(cmd, args, re) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  if (r.error) return null;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return (re.exec(out)?.[1] ?? out.split('\n')[0] ?? '').trim();
}

function machineInfo() {
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    unbound: `Unbound ${toolVersion('unbound', ['-V'], /Version\s+(\S+)/)}`,
    nsd: `NSD ${toolVersion('nsd', ['-v'], /NSD version\s+(\S+)/)}`,
    dnsperf: toolVersion('dnsperf', ['-h'], /Version\s+(\S+)/),
    bns: JSON.parse(readFileSync(join(repo, 'node_modules/bns/package.json'), 'utf8')).version,
  };
}

function preflight() {
  const missing = [];
  for (const [cmd, args] of [['dnsperf', ['-h']], ['unbound', ['-V']], ['nsd', ['-v']]]) {
    if (toolVersion(cmd, args, /(.+)/) === null) missing.push(cmd);
  }
  if (missing.length) throw new Error(`missing tools: ${missing.join(', ')} (apt-get install dnsperf unbound nsd)`);
  if (!existsSync(join(repo, 'node_modules/bns'))) throw new Error('bns is not installed (npm install)');
}

/** Cache-hit phase: the names (already cached) over and over for --duration seconds. */
async function hitPhase(t, dataFile, pid) {
  const before = pid ? procStats(pid) : null;
  const r = await dnsperf({ host: t.host, port: t.port, dataFile, mode: 'timed', seconds: settings.duration, clients: settings.clients, maxQps: settings.maxQps });
  if (pid) r.cpuSec = Math.round((procStats(pid).cpuSec - before.cpuSec) * 100) / 100;
  return r;
}

/**
 * One resolver, fresh: cold pass over every name once (which also warms it), then the cache-hit phase. The cold
 * pass runs as two halves so that memory is read in the middle too: growth per cached name is the slope over the
 * second half, free of one-time costs (JIT code, heap set-up) that a whole-pass figure would spread over the names.
 */
async function benchResolver(t, namesFiles, nameCount) {
  const res = { label: t.label, address: `${t.host}:${t.port}` };
  if (!(await udpPortFree(t.host, t.port))) return { ...res, error: `${t.host}:${t.port} is already in use` };
  let p;
  try {
    p = t.start();
    res.command = t.command;
    const ready = await waitForDns(t.host, t.port, { proc: p, totalMs: 20000 });
    if (!ready.ok) {
      res.error = `did not answer: ${ready.reason}`;
      return res;
    }
    res.readyMs = ready.ms;
    // Resident memory once up and primed (the readiness probe asked for the root NS set).
    const start = procStats(p.pid);
    log(`${t.label}: cold pass over ${nameCount} names`);
    const cpu0 = start.cpuSec;
    const coldHalf = (dataFile) => dnsperf({ host: t.host, port: t.port, dataFile, mode: 'once', limitSec: settings.coldLimit / 2, clients: settings.clients, outstanding: settings.coldOutstanding });
    const firstHalf = await coldHalf(namesFiles.firstHalf);
    const mid = procStats(p.pid);
    const secondHalf = await coldHalf(namesFiles.secondHalf);
    res.cold = mergeRuns(firstHalf, secondHalf);
    const afterCold = procStats(p.pid);
    res.cold.cpuSec = Math.round((afterCold.cpuSec - cpu0) * 100) / 100;
    log(`${t.label}: cache-hit load for ${settings.duration} s`);
    res.hit = await hitPhase(t, namesFiles.all, p.pid);
    const end = procStats(p.pid);
    res.memory = {
      startRssMB: mb(start.rssKb),
      midColdRssMB: mb(mid.rssKb),
      afterColdRssMB: mb(afterCold.rssKb),
      endRssMB: mb(end.rssKb),
      peakRssMB: mb(end.hwmKb),
      rssGrowthPer100kMB: per100k(afterCold.rssKb - mid.rssKb, nameCount - Math.floor(nameCount / 2)),
      rssGrowthWholePassPer100kMB: per100k(afterCold.rssKb - start.rssKb, nameCount),
    };
    if (!isAlive(p)) res.error = `${t.label} exited during the run (see ${t.id}.log)`;
    return res;
  } catch (e) {
    res.error = e.message;
    return res;
  } finally {
    if (p) await stopProcess(p);
  }
}

/** kB grown over `names` names, as MB per 100,000 names. */
function per100k(kb, names) {
  return Math.round((kb / 1024) * (100_000 / names) * 10) / 10;
}

function isAlive(p) {
  try { process.kill(p.pid, 0); return true; } catch { return false; }
}

async function main() {
  preflight();
  const out = resolve(opt.out);
  const workDir = join(out, 'lab');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });

  const hierarchyPath = join(repo, 'scripts/lib/hierarchy.mjs');
  if (!existsSync(hierarchyPath)) throw new Error(`${hierarchyPath} is missing: the loopback authoritative lab is required`);
  hierarchyMod = await import(pathToFileURL(hierarchyPath).href);

  const machine = machineInfo();
  log(`starting the NSD hierarchy: ${settings.domains} domains on 127.88.x.x:53`);
  const t0 = Date.now();
  hierarchy = await hierarchyMod.startHierarchy({ workDir: join(workDir, 'nsd'), domains: settings.domains, port: 53, prefix: '127.88', extra: false });
  log(`hierarchy up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${hierarchy.servers.length} servers, ${hierarchy.names.a.length} A names`);

  const names = hierarchy.names.a;
  if (names.length === 0) throw new Error('the hierarchy returned no names');
  const namesFile = join(workDir, 'names.txt');
  const writeNames = (file, list) => writeFileSync(file, list.map((n) => `${n} A`).join('\n') + '\n');
  writeNames(namesFile, names);
  const half = Math.floor(names.length / 2);
  const namesFiles = { all: namesFile, firstHalf: join(workDir, 'names-1.txt'), secondHalf: join(workDir, 'names-2.txt') };
  writeNames(namesFiles.firstHalf, names.slice(0, half));
  writeNames(namesFiles.secondHalf, names.slice(half));

  const results = {};
  const ceilings = {};

  // Ceiling 1: the authoritative server answering directly, with the names it is authoritative for.
  if (settings.only.has('nsd-direct')) {
    // Each name belongs to the server with the longest zone containing it (a TLD server would only refer).
    const bare = (z) => z.replace(/\.$/, '').toLowerCase();
    const owner = new Map();
    for (const n of names) {
      let bestLen = -1;
      for (const s of hierarchy.servers) {
        for (const z of (s.zones ?? []).map(bare)) {
          const nn = bare(n);
          if ((z === '' || nn === z || nn.endsWith(`.${z}`)) && z.length > bestLen) {
            bestLen = z.length;
            owner.set(n, s);
          }
        }
      }
    }
    let best = null;
    for (const s of hierarchy.servers) {
      const mine = names.filter((n) => owner.get(n) === s);
      if (!best || mine.length > best.names.length) best = { server: s, names: mine };
    }
    if (best && best.names.length) {
      const f = join(workDir, 'nsd-names.txt');
      writeFileSync(f, best.names.map((n) => `${n} A`).join('\n') + '\n');
      const t = { host: best.server.address, port: 53, label: `NSD direct (${best.server.label})` };
      log(`ceiling: ${t.label} at ${t.host}:53, ${best.names.length} names`);
      ceilings['nsd-direct'] = { label: t.label, address: `${t.host}:53`, hit: await hitPhase(t, f, best.server.pid) };
    } else {
      ceilings['nsd-direct'] = { label: 'NSD direct', error: 'no NSD server is authoritative for the query names' };
    }
  }

  // Ceiling 2: a bare Node UDP responder (copy a ready answer, patch the ID, send).
  if (settings.only.has('bare-node')) {
    const t = bareTarget({ repo, workDir, port: settings.port });
    log(`ceiling: ${t.label} at ${t.host}:${t.port}`);
    const p = t.start();
    try {
      const ready = await waitForDns(t.host, t.port, { proc: p, totalMs: 10000 });
      ceilings['bare-node'] = ready.ok ? { label: t.label, address: `${t.host}:${t.port}`, hit: await hitPhase(t, namesFile, p.pid) } : { label: t.label, error: ready.reason };
    } finally {
      await stopProcess(p);
    }
  }

  for (const t of resolverTargets({ repo, rootHintsPath: hierarchy.rootHintsPath, workDir, port: settings.port, domains: settings.domains })) {
    if (!settings.only.has(t.id)) continue;
    if (cleaning) break;
    log(`${t.label}: starting at ${t.host}:${t.port}`);
    results[t.id] = await benchResolver(t, namesFiles, names.length);
    const r = results[t.id];
    if (r.error) log(`${t.label}: FAILED — ${r.error}`);
    else log(`${t.label}: cold ${r.cold.runTimeSec ?? '?'} s (SERVFAIL ${r.cold.rcodes?.SERVFAIL ?? 0}, lost ${r.cold.lost}), hit ${Math.round(r.hit.qps ?? 0)} q/s, p99 ${r.hit.p99LatencyMs?.toFixed(2)} ms, peak RSS ${r.memory.peakRssMB} MB`);
  }

  const doc = {
    finishedAt: new Date().toISOString(),
    settings: { ...settings, only: [...settings.only], names: names.length, nsdServers: hierarchy.servers.length },
    machine,
    results,
    ceilings,
  };
  doc.ratios = ratios(results);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), JSON.stringify(doc, null, 2) + '\n');
  const md = markdown(doc);
  writeFileSync(join(out, 'results.md'), md);
  console.log('\n' + md);
  log(`wrote ${join(out, 'results.json')} and ${join(out, 'results.md')}`);
  const failed = Object.values(results).filter((r) => r.error);
  return failed.length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`bench: ${e.message}`);
  code = 1;
} finally {
  await cleanup();
  clearTimeout(deadline);
}
process.exit(code);
