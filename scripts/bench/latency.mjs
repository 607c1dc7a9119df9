#!/usr/bin/env node
// `npm run bench:latency`: cold-cache answer time with internet-like delays and packet loss, rootline and Unbound
// side by side in one run (issues 10 and 18).
//
// Two network namespaces created for this run and deleted at its end, joined by one veth pair whose only
// addresses are in 198.51.100.0/24 (documentation range; nothing is routed to the host or off the machine):
//   rl-lat-auth-PID  NSD hierarchy on 198.51.100.{1,2} (roots), .11-.13 (TLDs), .21-.24 (authoritative) at
//                    port 5300, and the delay/loss proxy (delay-proxy.mjs) on the same addresses at port 53
//   rl-lat-res-PID   rootline / Unbound on 127.0.0.21/.22 and the stub-like load generator; 198.51.100.200
// This kernel has no `netem` (nor prio/htb) qdisc, so delays and loss are applied by the user-space proxy in the
// auth namespace: a one-way delay per server role in each direction, and each UDP datagram dropped with the
// given probability in each direction.
// Per loss level both resolvers are started fresh (cold cache), one after the other, and asked the same names.
// Every process it starts is stopped by PID (also on error, SIGINT, SIGTERM and the --max-minutes cap); any
// process still inside the two namespaces is stopped by PID before they are deleted.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, createWriteStream } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { accountPass, accountingMarkdown } from './accounting.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    names: { type: 'string', default: '1800' },
    concurrency: { type: 'string', default: '200' },
    loss: { type: 'string', default: '0,1,5' },
    delays: { type: 'string', default: 'root=12,tld=25,auth=40±10' },
    order: { type: 'string', default: 'rootline,unbound' },
    port: { type: 'string', default: '5390' },
    out: { type: 'string', default: join(repo, '.bench-out/latency') },
    'level-limit': { type: 'string', default: '180' },
    'max-minutes': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench:latency -- [options]   (as root: creates network namespaces)
  --names N          never-asked names to resolve per resolver and loss level (default 1800)
  --concurrency N    outstanding queries of the stub-like client (default 200; 1 s retry, 3 tries)
  --loss LIST        UDP loss in percent, each way, one fresh pass per value (default 0,1,5)
  --delays SPEC      one-way delay per role in ms, ±jitter (default root=12,tld=25,auth=40±10)
  --order LIST       resolvers, run one after the other per level (default rootline,unbound)
  --port P           resolver port on 127.0.0.21/.22 inside the namespace (default 5390)
  --out DIR          output directory (default .bench-out/latency)
  --level-limit S    cap per resolver pass (default 180)
  --max-minutes M    the whole run is aborted after this long (default 10)`);
  process.exit(0);
}

const N = Number(opt.names);
const concurrency = Number(opt.concurrency);
const lossLevels = opt.loss.split(',').map(Number);
if (!(N > 0) || !(concurrency > 0) || lossLevels.some((x) => !(x >= 0 && x < 100))) throw new Error('bad --names, --concurrency or --loss');
const delays = Object.fromEntries(opt.delays.split(',').map((part) => {
  const m = /^(root|tld|auth)=(\d+(?:\.\d+)?)(?:(?:±|\+-|~)(\d+(?:\.\d+)?))?$/.exec(part.trim());
  if (!m) throw new Error(`--delays: cannot read "${part}" (e.g. root=12,tld=25,auth=40±10)`);
  return [m[1], [Number(m[2]), Number(m[3] ?? 0)]];
}));
for (const r of ['root', 'tld', 'auth']) delays[r] ??= [0, 0];

const nsRes = `rl-lat-res-${process.pid}`;
const nsAuth = `rl-lat-auth-${process.pid}`;
const NET = '198.51.100';
const addresses = { roots: [`${NET}.1`, `${NET}.2`], tld: { com: `${NET}.11`, net: `${NET}.12`, org: `${NET}.13` }, auth: [21, 22, 23, 24].map((i) => `${NET}.${i}`) };
const resAddr = `${NET}.200`;
const log = (...a) => console.log('[latency]', ...a);

// --- processes and namespaces, all cleaned up by PID / by name at the end
const children = new Map(); // pid -> child
const createdNs = [];
function sh(args, { allowFail = false } = {}) {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0 && !allowFail) throw new Error(`${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r;
}
function spawnTracked(args, { logFile, stdin = 'ignore' } = {}) {
  const child = spawn(args[0], args.slice(1), { stdio: [stdin, 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  children.set(child.pid, child);
  child.exited = new Promise((r) => child.on('exit', (code) => {
    children.delete(child.pid);
    r(code);
  }));
  if (logFile) child.stderr.pipe(createWriteStream(logFile));
  else child.stderr.resume();
  return child;
}
async function stopChild(child, graceMs = 4000) {
  if (!children.has(child.pid)) return;
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  if ((await Promise.race([child.exited, new Promise((r) => setTimeout(r, graceMs, 'timeout'))])) === 'timeout') {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000))]);
  }
}
/** Processes still inside a namespace this run created: all started by this run, stopped by PID. */
function killNsPids(ns, signal) {
  const r = sh(['ip', 'netns', 'pids', ns], { allowFail: true });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    try { process.kill(pid, signal); } catch { /* gone */ }
  }
  return (r.stdout ?? '').trim().length > 0;
}
function deleteNamespacesSync() {
  for (const ns of createdNs.splice(0)) {
    if (killNsPids(ns, 'SIGKILL')) spawnSync('sleep', ['0.3']);
    sh(['ip', 'netns', 'del', ns], { allowFail: true });
  }
}
let cleaning = false;
async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  await Promise.all([...children.values()].map((c) => stopChild(c)));
  for (const ns of createdNs) killNsPids(ns, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  deleteNamespacesSync();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping every process this run started, deleting ${nsRes} and ${nsAuth}`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const pid of children.keys()) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  deleteNamespacesSync();
});
const deadline = setTimeout(() => {
  console.error(`bench:latency: aborted after --max-minutes ${opt['max-minutes']}`);
  cleanup().finally(() => process.exit(1));
}, Number(opt['max-minutes']) * 60_000);

function setupNetwork() {
  for (const ns of [nsRes, nsAuth]) {
    sh(['ip', 'netns', 'add', ns]);
    createdNs.push(ns);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  sh(['ip', '-n', nsRes, 'link', 'add', 'rlres0', 'type', 'veth', 'peer', 'name', 'rlauth0', 'netns', nsAuth]);
  sh(['ip', '-n', nsRes, 'addr', 'add', `${resAddr}/24`, 'dev', 'rlres0']);
  for (const a of [...addresses.roots, ...Object.values(addresses.tld), ...addresses.auth]) sh(['ip', '-n', nsAuth, 'addr', 'add', `${a}/24`, 'dev', 'rlauth0']);
  sh(['ip', '-n', nsRes, 'link', 'set', 'rlres0', 'up']);
  sh(['ip', '-n', nsAuth, 'link', 'set', 'rlauth0', 'up']);
}

/** Lines of a child's stdout, with a waiter for the first line matching a prefix. */
function lineReader(child) {
  const waiters = [];
  const lines = [];
  const listeners = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const fn of listeners) fn(line);
    for (const w of [...waiters]) {
      if (line.startsWith(w.prefix)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line.slice(w.prefix.length));
      }
    }
  });
  return {
    lines,
    onLine(fn) {
      listeners.push(fn);
    },
    wait(prefix, ms, what) {
      return new Promise((resolvePromise, reject) => {
        const w = { prefix, resolve: (x) => { clearTimeout(t); resolvePromise(x); } };
        const t = setTimeout(() => reject(new Error(`${what}: no "${prefix}" within ${ms / 1000} s`)), ms);
        child.exited.then((code) => { clearTimeout(t); reject(new Error(`${what} exited (${code}) before "${prefix}"`)); });
        waiters.push(w);
      });
    },
  };
}

function toolVersion(cmd, args, re) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  if (r.error) return null;
  return (re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? '').trim();
}

const ratio = (a, b) => (a === null || a === undefined || !b ? null : Math.round((a / b) * 100) / 100);

function markdownTable(doc) {
  const rows = [
    '| Loss each way | Resolver | Mean ms | p50 ms | p95 ms | p99 ms | Wall s | NOERROR | SERVFAIL | Unanswered | Stub retries | Upstream UDP queries / name | TCP | CPU s (of it kernel) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ratioRows = ['| Loss each way | rootline build | mean | p50 | p95 | p99 | wall | upstream queries | sequential round trips | SERVFAIL (rootline − Unbound) | unanswered (rootline − Unbound) |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const lvl of doc.levels) {
    for (const [id, r] of Object.entries(lvl.results)) {
      if (r.error) rows.push(`| ${lvl.lossPct}% | ${r.label} | failed: ${r.error} |||||||||||||`);
      else rows.push(`| ${lvl.lossPct}% | ${r.label} | ${r.meanMs} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.wallSec} | ${r.rcodes.NOERROR ?? 0} | ${r.servfail} | ${r.unanswered} | ${r.retried} | ${r.upstreamPerName ?? '?'} | ${r.upstreamTcp ?? '?'} | ${r.cpuSec} (${r.cpuSysSec ?? '?'}) |`);
      void id;
    }
    for (const [id, x] of Object.entries(lvl.ratiosById ?? {})) ratioRows.push(`| ${lvl.lossPct}% | ${lvl.results[id].label} | ${x.mean}× | ${x.p50}× | ${x.p95}× | ${x.p99}× | ${x.wall}× | ${x.upstream ?? '?'}× | ${x.sequentialRoundTrips ?? '?'}× | ${x.servfailDiff >= 0 ? '+' : ''}${x.servfailDiff} | ${x.unansweredDiff >= 0 ? '+' : ''}${x.unansweredDiff} |`);
  }
  return `${rows.join('\n')}\n\nrootline / Unbound:\n\n${ratioRows.join('\n')}\n\nRound-trip accounting (scripts/bench/accounting.mjs):\n\n${accountingMarkdown(doc.levels)}`;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (ip netns, veth)');
  if (!existsSync(join(repo, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: npm run build first');
  for (const [cmd, args] of [['unbound', ['-V']], ['nsd', ['-v']], ['ip', ['-V']]]) if (toolVersion(cmd, args, /(.*)/) === null) throw new Error(`missing tool: ${cmd}`);
  const out = resolve(opt.out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const domains = Math.ceil(N / 2);
  const machine = {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    loadAvgAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    kernel: os.release(),
    node: process.version,
    unbound: toolVersion('unbound', ['-V'], /Version\s+(\S+)/),
    nsd: toolVersion('nsd', ['-v'], /NSD version\s+(\S+)/),
  };

  log(`namespaces ${nsRes} and ${nsAuth}, veth rlres0 (${resAddr}) <-> rlauth0 (${NET}.1-.24)`);
  setupNetwork();

  log(`starting the NSD hierarchy (${domains} domains) and the delay proxy in ${nsAuth}: ${opt.delays} ms one way`);
  // The "internet" (proxy timers, NSD) gets a higher CPU priority than the resolvers: on a busy machine a late
  // timer would otherwise add its lateness to every delay.
  const auth = spawnTracked(['ip', 'netns', 'exec', nsAuth, 'nice', '-n', '-10', process.execPath, join(repo, 'scripts/bench/latency-auth.mjs'),
    '--work', join(out, 'nsd'), '--domains', String(domains), '--addresses', JSON.stringify(addresses), '--delays', JSON.stringify(delays)],
  { logFile: join(out, 'auth.log'), stdin: 'pipe' });
  const authLines = lineReader(auth);
  const ready = JSON.parse(await authLines.wait('READY ', 90_000, 'the auth namespace helper'));
  const names = ready.names.slice(0, N);
  if (names.length < N) throw new Error(`the hierarchy has only ${names.length} names`);
  const namesFile = join(out, 'names.txt');
  writeFileSync(namesFile, names.join('\n') + '\n');
  log(`hierarchy up: ${ready.servers.length} NSD servers; ${names.length} names`);

  const levels = [];
  for (const lossPct of lossLevels) {
    if (cleaning) break;
    auth.stdin.write(`loss ${lossPct / 100}\n`);
    await authLines.wait('LOSS ', 5000, 'setting the loss');
    log(`loss ${lossPct}% each way: ${opt.order.split(',').join(' then ')}, each fresh, ${N} names at ${concurrency} outstanding`);
    const res = spawnTracked(['ip', 'netns', 'exec', nsRes, process.execPath, join(repo, 'scripts/bench/latency-res.mjs'),
      '--hints', ready.rootHintsPath, '--names', namesFile, '--work', join(out, `res-loss${lossPct}`), '--port', opt.port,
      '--concurrency', String(concurrency), '--order', opt.order, '--limit-sec', opt['level-limit']],
    { logFile: join(out, `res-loss${lossPct}.log`), stdin: 'pipe' });
    const resLines = lineReader(res);
    res.stderr.on('data', (d) => process.stdout.write(String(d)));
    // Upstream traffic per resolver: the proxy's counters are read and reset at every phase boundary.
    const proxyStats = {};
    let current = null;
    const logFiles = {};
    resLines.onLine(async (line) => {
      if (!line.startsWith('PHASE ')) return;
      if (current) {
        // The pass's every upstream query, for the round-trip accounting (accounting.mjs).
        logFiles[current] = join(out, `querylog-loss${lossPct}-${current}.json`);
        auth.stdin.write(`log ${logFiles[current]}\n`);
        await authLines.wait('LOGGED ', 10000, 'proxy query log');
      }
      auth.stdin.write('stats reset\n');
      const stats = JSON.parse(await authLines.wait('STATS ', 5000, 'proxy stats'));
      if (current) proxyStats[current] = stats;
      current = line.slice(6);
      res.stdin.write('GO\n');
    });
    const results = JSON.parse(await resLines.wait('RESULT ', (Number(opt['level-limit']) * 2 + 60) * 1000, `the pass at ${lossPct}% loss`));
    await res.exited;
    for (const [id, st] of Object.entries(proxyStats)) {
      if (!results[id] || results[id].error) continue;
      results[id].upstreamUdp = st.udpIn;
      results[id].upstreamPerName = Math.round((st.udpIn / N) * 100) / 100;
      results[id].upstreamTcp = st.tcpConns;
      results[id].droppedByProxy = st.droppedIn + st.droppedOut;
      if (logFiles[id] && results[id].spansFile) {
        results[id].accounting = accountPass(JSON.parse(readFileSync(logFiles[id], 'utf8')), JSON.parse(readFileSync(results[id].spansFile, 'utf8')), names);
      }
    }
    const u = results.unbound;
    const ratiosOf = (r) => (r && u && !r.error && !u.error ? {
      mean: ratio(r.meanMs, u.meanMs), p50: ratio(r.p50Ms, u.p50Ms), p95: ratio(r.p95Ms, u.p95Ms), p99: ratio(r.p99Ms, u.p99Ms), wall: ratio(r.wallSec, u.wallSec), upstream: ratio(r.upstreamUdp, u.upstreamUdp),
      servfailDiff: r.servfail - u.servfail, unansweredDiff: r.unanswered - u.unanswered,
      sequentialRoundTrips: ratio(r.accounting?.sequentialRoundTrips.mean, u.accounting?.sequentialRoundTrips.mean),
    } : null);
    const ratiosById = Object.fromEntries(Object.keys(results).filter((id) => id.startsWith('rootline') && ratiosOf(results[id])).map((id) => [id, ratiosOf(results[id])]));
    levels.push({ lossPct, results, ratios: ratiosById.rootline ?? null, ratiosById });
  }

  const doc = {
    finishedAt: new Date().toISOString(),
    command: `npm run bench:latency -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { names: N, domains, concurrency, lossLevels, delaysOneWayMs: delays, order: opt.order, stub: { tryMs: 1000, tries: 3 } },
    network: { namespaces: [nsRes, nsAuth], resolverSide: resAddr, servers: ready.routes.map((x) => ({ label: x.label, address: x.listen, role: x.role, oneWayMs: `${x.delayMs}±${x.jitterMs}` })) },
    machine,
    levels,
  };
  writeFileSync(join(out, 'results.json'), JSON.stringify(doc, null, 2) + '\n');
  const md = markdownTable(doc);
  writeFileSync(join(out, 'results.md'), md);
  console.log('\n' + md);
  log(`wrote ${join(out, 'results.json')} and results.md`);
  return levels.every((l) => Object.values(l.results).every((x) => !x.error)) ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`bench:latency: ${e.message}`);
} finally {
  await cleanup();
  clearTimeout(deadline);
}
process.exit(code);
