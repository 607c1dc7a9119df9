#!/usr/bin/env node
// Cache-hit queries per second through a dnsdist pool of three rootline instances (contrib/dnsdist/dnsdist.conf)
// against one instance queried directly, with dnsperf, all on loopback: an in-process hierarchy of 300 zones on
// 127.120.0.x, instances on 127.120.1.1–3, dnsdist on 127.120.3.1. Needs the build (dist/), dnsdist and dnsperf.
//   node scripts/bench/pool.mjs [--seconds 5] [--clients 4]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { zone } from '../../dist/lab/answerer.js';
import { startAuthServer } from '../../dist/lab/auth-server.js';
import { dnsperf } from './dnsperf.mjs';
import { killAllSync, startProcess, stopAll, waitForDns } from './proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '4' } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);

const AUTH = ['127.120.0.1', '127.120.0.2', '127.120.0.3'];
const INSTANCES = ['127.120.1.1', '127.120.1.2', '127.120.1.3'];
const DNSDIST = '127.120.3.1';
const AUTH_PORT = 5397;
const PORT = 5398;
const NAMES = 300;

process.on('SIGINT', () => { killAllSync(); process.exit(130); });
process.on('exit', killAllSync);

const dir = mkdtempSync(join(tmpdir(), 'rootline-poolbench-'));
const auth = [];
try {
  const root = zone('.', ['@ 3600 SOA a.root.test. h 1 7200 900 1209600 300', '@ NS a.root.test.', `a.root.test. A ${AUTH[0]}`, 'pool. NS ns.nic.pool.', `ns.nic.pool. A ${AUTH[1]}`]);
  const pool = zone('pool', ['@ 3600 SOA ns.nic.pool. h 1 7200 900 1209600 300', '@ NS ns.nic.pool.', `ns.nic.pool. A ${AUTH[1]}`, ...Array.from({ length: NAMES }, (_, i) => [`d${i} NS ns.d${i}`, `ns.d${i} A ${AUTH[2]}`]).flat()]);
  const leaves = Array.from({ length: NAMES }, (_, i) => zone(`d${i}.pool`, ['@ 3600 SOA ns h 1 7200 900 1209600 300', '@ NS ns', `ns A ${AUTH[2]}`, `www 3600 A 10.1.${i >> 8}.${i & 255}`]));
  for (const [i, zones] of [[root], [pool], leaves].entries()) auth.push(await startAuthServer(AUTH[i], AUTH_PORT, zones));
  writeFileSync(join(dir, 'named.root'), `. 3600000 NS a.root.test.\na.root.test. 3600000 A ${AUTH[0]}\n`);
  const names = join(dir, 'names.txt');
  writeFileSync(names, Array.from({ length: NAMES }, (_, i) => `www.d${i}.pool A`).join('\n') + '\n');

  for (const [i, a] of INSTANCES.entries()) {
    const conf = join(dir, `rootline-${i}.yaml`);
    writeFileSync(conf, [`listen: ["${a}:${PORT}"]`, `root-hints: ${join(dir, 'named.root')}`, `upstream-port: ${AUTH_PORT}`, `proxy-protocol-from: ["${DNSDIST}/32"]`, `allow: ["127.0.0.1/32", "${DNSDIST}/32"]`, 'control-socket: off', 'log-level: warn', 'ratelimit: 0', ''].join('\n'));
    const p = startProcess(`rootline-${i}`, process.execPath, [join(repo, 'dist/cli.js'), 'serve', '--config', conf], { logFile: join(dir, `rootline-${i}.log`) });
    if (!(await waitForDns(a, PORT, { name: 'localhost', qtype: 1, proc: p })).ok) throw new Error(`rootline-${i} did not start`);
  }
  const env = { ...process.env, DNSDIST_LISTEN: `${DNSDIST}:${PORT}`, DNSDIST_SOURCE: DNSDIST, DNSDIST_ACL: '127.0.0.0/8', DNSDIST_NO_SECURITY_POLL: '1', ROOTLINE_BACKENDS: INSTANCES.map((a) => `${a}:${PORT}`).join(' ') };
  const dd = startProcess('dnsdist', 'dnsdist', ['--supervised', '--disable-syslog', '-C', join(repo, 'contrib/dnsdist/dnsdist.conf')], { env, logFile: join(dir, 'dnsdist.log') });
  if (!(await waitForDns(DNSDIST, PORT, { name: 'localhost', qtype: 1, proc: dd })).ok) throw new Error('dnsdist did not start');

  // Warm: every name once through the pool (each instance caches its share) and once straight to instance 1.
  for (const host of [DNSDIST, INSTANCES[0]]) await dnsperf({ host, port: PORT, dataFile: names, mode: 'once', limitSec: 30, clients: 1 });
  const rows = [];
  for (const [what, host] of [['direct, one instance', INSTANCES[0]], ['through dnsdist, three instances (chashed)', DNSDIST]]) {
    const r = await dnsperf({ host, port: PORT, dataFile: names, mode: 'timed', seconds, clients });
    if (!r.ok) throw new Error(r.error);
    rows.push(`| ${what} | ${Math.round(r.qps)} | ${r.p50LatencyMs?.toFixed(3)} | ${r.p99LatencyMs?.toFixed(3)} | ${r.lost} | \`${r.command.replace(' -v', '').replace(dir + '/', '')}\` |`);
  }
  console.log(['| cache hits | q/s | p50 ms | p99 ms | lost | command |', '|---|---|---|---|---|---|', ...rows].join('\n'));
} finally {
  await stopAll();
  await Promise.all(auth.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
}
