#!/usr/bin/env node
// `npm run bench:dnssec`: what DNSSEC validation costs (issue 9; targets: cache-hit q/s within 5% of not validating,
// cold pass within 1.3×). rootline validating, rootline with --no-dnssec-validation and Unbound validating, in one
// run, on a hierarchy signed with Debian's ldns-signzone (scripts/lib/signed-hierarchy.mjs, the DNSSEC e2e
// generator) and served by NSD on 127.98.x.x:53: a root (RSASHA256, KSK and ZSK), com/net/org and --domains
// second-level zones (ECDSAP256SHA256, NSEC), each holding an apex and a www A record.
// Per server and round, on a fresh process: a cold pass (every name once, dnsperf -n 1) then cache hits (dnsperf -l).
// The servers take turns within each round, and the table shows the median over --rounds rounds, because this
// shared 2-core machine swings by ±15% between runs.
//   npm run build && npm run bench:dnssec [-- --domains 300 --rounds 3 --duration 5 --do]
// Needs root (NSD on port 53), nsd, unbound, dnsperf and ldnsutils. Loopback only; every process is stopped by PID.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSignedHierarchy } from '../lib/signed-hierarchy.mjs';
import { dnsperf } from './dnsperf.mjs';
import { procStats, startProcess, stopAll, stopProcess, waitForDns } from './proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    domains: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    clients: { type: 'string', default: '4' },
    'cold-outstanding': { type: 'string', default: '50' },
    port: { type: 'string', default: '5386' },
    do: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opt.help) {
  console.log(`usage: npm run bench:dnssec -- [options]
  --domains N           signed second-level zones (default 300; 2 names each)
  --rounds N            rounds, each starting every server fresh (default 3; the table shows medians)
  --duration S          seconds of cache-hit load per server and round (default 5)
  --clients N           dnsperf clients (default 4)
  --cold-outstanding N  concurrent queries in the cold pass (default 50)
  --port P              port of the servers under test on 127.0.0.41-43 (default 5386)
  --do                  set DO=1 on every query (dnsperf -D): answers carry their RRSIGs
  --keep                keep the generated zones and logs (the directory is printed)`);
  process.exit(0);
}
const domains = Number(opt.domains);
const rounds = Number(opt.rounds);
const duration = Number(opt.duration);
const clients = Number(opt.clients);
const coldOutstanding = Number(opt['cold-outstanding']);
const port = Number(opt.port);
const extraArgs = opt.do ? ['-D'] : [];
for (const [k, v] of Object.entries({ domains, rounds, duration, clients, coldOutstanding, port })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer (got ${v})`);
}
if (process.getuid?.() !== 0) throw new Error('needs root: NSD listens on port 53 of 127.98.x.x, as root hints require');

const P = '127.98';
const TLDS = ['com', 'net', 'org'];
const AUTH = [`${P}.2.1`, `${P}.2.2`, `${P}.2.3`, `${P}.2.4`];

function specs() {
  const zones = [{ name: '.', server: `${P}.0.1`, algorithm: 'RSASHA256', splitKeys: true }];
  TLDS.forEach((t, i) => zones.push({ name: t, server: `${P}.1.${i + 1}`, algorithm: 'ECDSAP256SHA256' }));
  for (let i = 0; i < domains; i++) {
    zones.push({ name: `d${i}.${TLDS[i % 3]}`, server: AUTH[i % AUTH.length], algorithm: 'ECDSAP256SHA256', records: [`@ A 192.0.2.${i % 250}`, `www A 198.51.100.${i % 250}`] });
  }
  return zones;
}

const dir = mkdtempSync(join(os.tmpdir(), 'rootline-dnssec-bench-'));
let hierarchy;
const cleanup = async () => {
  await stopAll();
  await hierarchy?.stop();
  if (!opt.keep) rmSync(dir, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void cleanup().then(() => process.exit(130)));
// The whole run is bounded: a stuck server or dnsperf cannot keep the machine busy.
const deadline = setTimeout(() => {
  console.error('dnssec-cost: over 20 minutes, aborting');
  void cleanup().then(() => process.exit(1));
}, 20 * 60_000);
deadline.unref();

function targets({ rootHintsPath, trustAnchorPath }) {
  const rootline = (id, label, host, extra) => ({
    id,
    label,
    host,
    start(round) {
      const args = [join(repo, 'dist/cli.js'), 'serve', '--listen', `${host}:${port}`, '--root-hints', rootHintsPath, '--trust-anchor-file', trustAnchorPath, '--workers', '1', '--control-socket', 'off', '--log-level', 'warn', ...extra];
      this.command = `node ${args.map((a) => a.replace(`${repo}/`, '').replace(`${dir}/lab/`, '')).join(' ')}`;
      return startProcess(id, process.execPath, args, { logFile: join(dir, `${id}-${round}.log`), cwd: repo });
    },
  });
  return [
    rootline('rootline-validating', 'rootline, validating', '127.0.0.41', []),
    rootline('rootline-off', 'rootline, --no-dnssec-validation', '127.0.0.42', ['--no-dnssec-validation']),
    {
      id: 'unbound-validating',
      label: 'Unbound, validating',
      host: '127.0.0.43',
      start(round) {
        const conf = join(dir, 'unbound.conf');
        writeFileSync(
          conf,
          [
            'server:',
            `  interface: ${this.host}@${port}`,
            `  port: ${port}`,
            '  num-threads: 1',
            '  do-ip6: no',
            '  so-reuseport: no',
            `  root-hints: "${rootHintsPath}"`,
            `  trust-anchor-file: "${trustAnchorPath}"`,
            '  module-config: "validator iterator"',
            '  do-not-query-localhost: no',
            '  access-control: 127.0.0.0/8 allow',
            '  username: ""',
            '  chroot: ""',
            `  directory: "${dir}"`,
            `  pidfile: "${join(dir, 'unbound.pid')}"`,
            '  use-syslog: no',
            '  logfile: ""',
            '  verbosity: 0',
            '  msg-cache-size: 256m',
            '  rrset-cache-size: 512m',
            '  key-cache-size: 16m',
            'remote-control:',
            '  control-enable: no',
            '',
          ].join('\n'),
        );
        this.command = `unbound -d -c unbound.conf (num-threads 1, module-config "validator iterator", trust-anchor-file)`;
        return startProcess('unbound', 'unbound', ['-d', '-c', conf], { logFile: join(dir, `unbound-${round}.log`) });
      },
    },
  ];
}

async function measure(target, round, dataFile) {
  const proc = target.start(round);
  try {
    const ready = await waitForDns(target.host, port, { proc });
    if (!ready.ok) throw new Error(`${target.label}: ${ready.reason}`);
    const cpu0 = procStats(proc.pid).cpuSec;
    const cold = await dnsperf({ host: target.host, port, dataFile, mode: 'once', clients, outstanding: coldOutstanding, limitSec: 120, extraArgs });
    const cpu1 = procStats(proc.pid).cpuSec;
    const hit = await dnsperf({ host: target.host, port, dataFile, mode: 'timed', seconds: duration, clients, extraArgs });
    const cpu2 = procStats(proc.pid).cpuSec;
    if (!cold.ok || !hit.ok) throw new Error(`${target.label}: ${cold.error ?? hit.error}`);
    return {
      coldSec: cold.runTimeSec,
      coldP99Ms: cold.p99LatencyMs,
      coldCpuSec: cpu1 - cpu0,
      coldNoerror: cold.rcodes.NOERROR ?? 0,
      coldServfail: cold.rcodes.SERVFAIL ?? 0,
      coldLost: cold.lost,
      hitQps: hit.qps,
      hitP99Ms: hit.p99LatencyMs,
      hitCpuSec: cpu2 - cpu1,
      // CPU per answer: less at the mercy of the scheduler than q/s when the machine is shared.
      hitCpuUsPerAnswer: ((cpu2 - cpu1) * 1e6) / Math.max(1, hit.completed),
      hitLost: hit.lost,
      coldCommand: cold.command,
      hitCommand: hit.command,
    };
  } finally {
    await stopProcess(proc);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v, digits = 2) => (v === null || v === undefined ? '—' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits));

try {
  const t0 = Date.now();
  hierarchy = await startSignedHierarchy(specs(), { workDir: join(dir, 'lab') });
  console.error(`signed ${domains + 4} zones with ldns-signzone and started ${hierarchy.servers.length} NSD in ${Date.now() - t0} ms`);
  const names = [];
  for (let i = 0; i < domains; i++) names.push(`d${i}.${TLDS[i % 3]} A`, `www.d${i}.${TLDS[i % 3]} A`);
  const dataFile = join(dir, 'names.txt');
  writeFileSync(dataFile, names.join('\n') + '\n');

  const list = targets(hierarchy);
  const results = Object.fromEntries(list.map((t) => [t.id, []]));
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadAtStart = load();
  for (let r = 1; r <= rounds; r++) {
    // Rotate the order each round so no server always runs first (a cooler machine) or last.
    const order = list.map((_, i) => list[(i + r - 1) % list.length]);
    for (const t of order) {
      const m = await measure(t, r, dataFile);
      results[t.id].push(m);
      console.error(`round ${r} ${t.label}: cold ${m.coldSec.toFixed(3)} s (${m.coldNoerror} NOERROR, ${m.coldServfail} SERVFAIL, ${m.coldLost} lost), hit ${Math.round(m.hitQps)} q/s`);
    }
  }

  const rows = [
    ['Cold pass: every name once (s)', 'coldSec', 3],
    ['Cold pass: p99 latency (ms)', 'coldP99Ms', 1],
    ['Cold pass: server CPU (s)', 'coldCpuSec', 2],
    ['Cold pass: NOERROR / SERVFAIL / lost', null],
    ['Cache hits (q/s)', 'hitQps', 0],
    ['Cache hits: p99 latency (ms)', 'hitP99Ms', 2],
    ['Cache hits: server CPU (s)', 'hitCpuSec', 2],
    ['Cache hits: server CPU per answer (µs)', 'hitCpuUsPerAnswer', 1],
  ];
  const [val, off, ub] = list.map((t) => results[t.id]);
  const med = (runs, key) => median(runs.map((m) => m[key]));
  const out = [];
  out.push(`Run ${new Date().toISOString()}: ${domains} signed zones (${names.length} names), ${rounds} rounds, cache-hit phase ${duration} s, cold phase ${coldOutstanding} outstanding${opt.do ? ', DO=1 on every query' : ''}; ${os.cpus().length} CPUs, Node ${process.version}; load average ${loadAtStart} at start, ${load()} at the end. Medians over the rounds.`);
  out.push('');
  out.push('| Metric | rootline validating | rootline not validating | Unbound validating | validating / not | rootline validating / Unbound |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const [label, key, digits] of rows) {
    if (!key) {
      const c = (runs) => `${runs.map((m) => m.coldNoerror).join('/')} · ${runs.map((m) => m.coldServfail).join('/')} · ${runs.map((m) => m.coldLost).join('/')}`;
      out.push(`| ${label} (each round) | ${c(val)} | ${c(off)} | ${c(ub)} | | |`);
      continue;
    }
    const [a, b, c] = [med(val, key), med(off, key), med(ub, key)];
    out.push(`| ${label} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${fmt(c, digits)} | ${b ? (a / b).toFixed(2) + '×' : '—'} | ${c ? (a / c).toFixed(2) + '×' : '—'} |`);
  }
  // Paired ratios: each round's validating / not validating, which cancels drift in the machine's load between rounds.
  const pairs = (key) => median(val.map((m, i) => m[key] / off[i][key]));
  const hitRatio = med(val, 'hitQps') / med(off, 'hitQps');
  const coldRatio = med(val, 'coldSec') / med(off, 'coldSec');
  out.push('');
  out.push(`Per round, validating / not: cache-hit q/s ${val.map((m, i) => (m.hitQps / off[i].hitQps).toFixed(2)).join(', ')} (median ${pairs('hitQps').toFixed(2)}); cold time ${val.map((m, i) => (m.coldSec / off[i].coldSec).toFixed(2)).join(', ')} (median ${pairs('coldSec').toFixed(2)}).`);
  out.push('');
  // A target counts as met only when the ratio of medians and the median of paired ratios both meet it.
  const verdict = (a, b, ok) => (ok(a) && ok(b) ? 'met' : !ok(a) && !ok(b) ? 'not met' : 'unclear (the two figures disagree: noise)');
  const hitPairs = pairs('hitQps');
  const coldPairs = pairs('coldSec');
  out.push(`Targets: cache-hit q/s within 5% of not validating: ${(hitRatio * 100).toFixed(0)}% by medians, ${(hitPairs * 100).toFixed(0)}% by pairs → ${verdict(hitRatio, hitPairs, (x) => x >= 0.95)}; cold pass within 1.3×: ${coldRatio.toFixed(2)}× by medians, ${coldPairs.toFixed(2)}× by pairs → ${verdict(coldRatio, coldPairs, (x) => x <= 1.3)}.`);
  out.push('');
  out.push(`Commands: ${list.map((t) => `${t.label}: \`${t.command}\``).join('; ')}; cold: \`${val[0].coldCommand}\`; hits: \`${val[0].hitCommand}\` (names.txt: one \`name A\` a line).`);
  console.log(out.join('\n'));
  if (opt.keep) console.error(`kept: ${dir}`);
} finally {
  clearTimeout(deadline);
  await cleanup();
}
