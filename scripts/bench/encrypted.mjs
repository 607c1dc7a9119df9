#!/usr/bin/env node
// Cache-hit queries per second over UDP, DNS over TLS and DNS over HTTPS, rootline next to Unbound (Debian's is
// built with nghttp2: https-port), in one run, over persistent connections: dnsperf for UDP and DoT, and for DoH
// doh-load.mjs (Node's http2 client, the same C connections × outstanding/C streams against both servers), because
// dnsperf 2.10's DoH mode takes one response per TLS read and stalls on a server that packs several into one
// record, as Node's http2 does; dnsperf's DoH figure for Unbound is printed beside it.
// Every name is local data, so both answer from memory: this measures the transports, not resolution.
//   npm run build && node scripts/bench/encrypted.mjs [--seconds 5] [--clients 4] [--outstanding 100]
// Loopback only; every process it starts is stopped by PID at the end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runToEnd, startProcess, stopAll, waitForDns } from './proc.mjs';
import { parseSummary } from './dnsperf.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '4' }, outstanding: { type: 'string', default: '100' } } });
const seconds = Number(opt.seconds);
const NAMES = 100;
const ROOTLINE = { host: '127.0.0.31', udp: 5394, dot: 8853, doh: 8443 };
const UNBOUND = { host: '127.0.0.32', udp: 5395, dot: 8854, doh: 8455 };

const dir = mkdtempSync(join(tmpdir(), 'rootline-encbench-'));
const cleanup = async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  const names = Array.from({ length: NAMES }, (_, i) => `host${i}.bench.lab`);
  const data = join(dir, 'queries.txt');
  writeFileSync(data, names.map((n) => `${n} A`).join('\n') + '\n');

  // A certificate for both servers, made by rootline itself.
  const cert = await runToEnd(process.execPath, [join(repo, 'dist/cli.js'), 'cert', 'bench.lab', '--ip', ROOTLINE.host, '--ip', UNBOUND.host, '--out', dir], { timeoutMs: 20_000 });
  if (cert.code !== 0) throw new Error(`rootline cert failed: ${cert.stderr}`);
  const pem = join(dir, 'bench.lab.pem');
  const key = join(dir, 'bench.lab.key');

  const rootlineConf = join(dir, 'rootline.yaml');
  writeFileSync(
    rootlineConf,
    [
      `listen: ["${ROOTLINE.host}:${ROOTLINE.udp}"]`,
      `tls-listen: ["${ROOTLINE.host}:${ROOTLINE.dot}"]`,
      `https-listen: ["${ROOTLINE.host}:${ROOTLINE.doh}"]`,
      `tls-certificate: ${pem}`,
      `tls-key: ${key}`,
      'control-socket: off',
      'log-level: warn',
      'tcp-max-connections: 1000',
      'local-data:',
      ...names.map((n, i) => `  - "${n}. 3600 A 192.0.2.${i % 250}"`),
      '',
    ].join('\n'),
  );
  const rootline = startProcess('rootline', process.execPath, [join(repo, 'dist/cli.js'), 'serve', '--config', rootlineConf], { logFile: join(dir, 'rootline.log'), cwd: repo });

  const unboundConf = join(dir, 'unbound.conf');
  writeFileSync(
    unboundConf,
    [
      'server:',
      `  interface: ${UNBOUND.host}@${UNBOUND.udp}`,
      `  interface: ${UNBOUND.host}@${UNBOUND.dot}`,
      `  interface: ${UNBOUND.host}@${UNBOUND.doh}`,
      `  tls-port: ${UNBOUND.dot}`,
      `  https-port: ${UNBOUND.doh}`,
      '  http-endpoint: "/dns-query"',
      `  tls-service-key: "${key}"`,
      `  tls-service-pem: "${pem}"`,
      '  num-threads: 1',
      '  do-ip6: no',
      '  so-reuseport: no',
      '  module-config: "iterator"',
      '  access-control: 127.0.0.0/8 allow',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${join(dir, 'unbound.pid')}"`,
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 0',
      '  incoming-num-tcp: 1000',
      '  local-zone: "bench.lab." static',
      ...names.map((n, i) => `  local-data: "${n}. 3600 IN A 192.0.2.${i % 250}"`),
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n'),
  );
  const unbound = startProcess('unbound', 'unbound', ['-d', '-c', unboundConf], { logFile: join(dir, 'unbound.log') });
  await waitForDns(ROOTLINE.host, ROOTLINE.udp, { name: names[0], qtype: 1, proc: rootline });
  await waitForDns(UNBOUND.host, UNBOUND.udp, { name: names[0], qtype: 1, proc: unbound });

  const run = async (label, host, port, mode) => {
    const args = ['-s', host, '-p', String(port), '-d', data, '-m', mode, '-c', opt.clients, '-T', '1', '-q', opt.outstanding, '-l', String(seconds), '-t', '5'];
    if (mode === 'doh') args.push('-O', `doh-uri=https://${host}:${port}/dns-query`, '-O', 'doh-method=POST');
    const r = await runToEnd('dnsperf', args, { timeoutMs: (seconds + 30) * 1000 });
    const s = parseSummary(r.stdout);
    return { label, mode, qps: s.qps, lost: s.lost ?? null, command: `dnsperf ${args.join(' ')}`, error: s.qps === null ? (r.stderr || r.stdout).trim().slice(-300) : null };
  };
  const rows = [];
  for (const [label, host, port, mode] of [
    ['rootline', ROOTLINE.host, ROOTLINE.udp, 'udp'],
    ['rootline', ROOTLINE.host, ROOTLINE.dot, 'dot'],
    ['unbound', UNBOUND.host, UNBOUND.udp, 'udp'],
    ['unbound', UNBOUND.host, UNBOUND.dot, 'dot'],
    ['unbound', UNBOUND.host, UNBOUND.doh, 'doh'],
  ]) {
    rows.push(await run(label, host, port, mode));
  }
  // DoH through the Node load generator, for both servers alike.
  const clients = Number(opt.clients);
  const perConnection = Math.max(1, Math.round(Number(opt.outstanding) / clients));
  const dohLoad = async (label, host, port) => {
    const args = [join(repo, 'scripts/bench/doh-load.mjs'), '--url', `https://${host}:${port}/dns-query`, '--ca', join(dir, 'ca.pem'), '--names', data, '--connections', String(clients), '--streams', String(perConnection), '--seconds', String(seconds), '--warmup-seconds', String(seconds)];
    const r = await runToEnd(process.execPath, args, { timeoutMs: (2 * seconds + 30) * 1000 });
    let out = null;
    try {
      out = JSON.parse(r.stdout.trim().split('\n').at(-1));
    } catch {
      /* reported below */
    }
    return { label, mode: 'doh', qps: out?.qps ?? null, lost: out?.lost ?? null, command: `node ${args.map((a) => a.replace(repo + '/', '')).join(' ')}`, error: out ? null : (r.stderr || r.stdout).trim().slice(-300), detail: out };
  };
  const dnsperfDoh = rows.find((r) => r.label === 'unbound' && r.mode === 'doh');
  rows.splice(rows.indexOf(dnsperfDoh), 1);
  rows.push(await dohLoad('rootline', ROOTLINE.host, ROOTLINE.doh));
  rows.push(await dohLoad('unbound', UNBOUND.host, UNBOUND.doh));
  const qps = (label, mode) => rows.find((r) => r.label === label && r.mode === mode)?.qps ?? null;
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '-');
  console.log(`| transport | rootline q/s | × rootline UDP | Unbound q/s | rootline / Unbound |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const mode of ['udp', 'dot', 'doh']) {
    const r = qps('rootline', mode);
    const u = qps('unbound', mode);
    console.log(`| ${mode} | ${r?.toFixed(0) ?? '-'} | ${ratio(r, qps('rootline', 'udp'))} | ${u?.toFixed(0) ?? '-'} | ${ratio(r, u)} |`);
  }
  console.log(`\nUnbound DoH through dnsperf itself: ${dnsperfDoh.qps?.toFixed(0) ?? 'failed'} q/s (the Node client's own ceiling shows against it)`);
  for (const r of [...rows, dnsperfDoh]) console.log(`${r.label} ${r.mode}: ${r.command}${r.error ? `\n  failed: ${r.error}` : ''}${r.detail ? `\n  ${JSON.stringify(r.detail)}` : ''}`);
} finally {
  await cleanup();
}
