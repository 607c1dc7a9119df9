#!/usr/bin/env node
// A long soak, as a script (not a test): rootline (and Unbound beside it, same stream) against an NSD hierarchy
// on loopback for a given time at a steady rate — mostly names nobody asked before (NXDOMAIN under a few zones,
// the cache-filling stream), plus a hot set — sampling every 10 s: RSS, answers, SERVFAIL and lost queries.
// Prints a table and writes an SVG of RSS and answers/s over time. Every process it starts is stopped by PID.
//   npm run build && node scripts/soak.mjs [--minutes 60] [--qps 2000] [--no-unbound] [--svg soak.svg]
// Needs root (NSD on port 53 of 127.79.x.x) and the Debian packages nsd and unbound.
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startHierarchy } from './lib/hierarchy.mjs';
import { startProcess, stopAll, waitForDns } from './bench/proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    qps: { type: 'string', default: '2000' },
    hot: { type: 'string', default: '0.1' },
    'no-unbound': { type: 'boolean', default: false },
    svg: { type: 'string', default: 'soak.svg' },
    'cache-memory': { type: 'string', default: '64' },
  },
});
const seconds = Number(opt.minutes) * 60;
const qps = Number(opt.qps);
const SAMPLE_MS = 10_000;
const LOST_AFTER_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'rootline-soak-'));
let hierarchy;
const cleanup = async () => {
  await stopAll();
  await hierarchy?.stop();
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function query(id, name) {
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
}

/** One target's stream: sends at the rate, counts answers by rcode and queries lost (no answer in 2 s). */
function stream(target) {
  const s = dgram.createSocket('udp4');
  const pending = new Map();
  const w = { sent: 0, answered: 0, servfail: 0, lost: 0 };
  let id = 0;
  s.on('message', (msg) => {
    const q = pending.get(msg.readUInt16BE(0));
    if (!q) return;
    clearTimeout(q);
    pending.delete(msg.readUInt16BE(0));
    w.answered++;
    if ((msg[3] & 0x0f) === 2) w.servfail++;
  });
  return {
    window: w,
    send(name) {
      id = (id + 1) & 0xffff;
      const qid = id;
      const old = pending.get(qid);
      if (old) clearTimeout(old);
      pending.set(qid, setTimeout(() => pending.delete(qid) && w.lost++, LOST_AFTER_MS));
      s.send(query(qid, name), target.port, target.host);
      w.sent++;
    },
    take() {
      const out = { ...w };
      w.sent = w.answered = w.servfail = w.lost = 0;
      return out;
    },
    close: () => s.close(),
  };
}

function svg(samples, targets) {
  const W = 900;
  const H = 420;
  const pad = 50;
  const tMax = Math.max(...samples.map((x) => x.t), 1);
  const rssMax = Math.max(...samples.flatMap((x) => targets.map((t) => x[t.id]?.rss ?? 0)), 1) * 1.1;
  const qpsMax = Math.max(...samples.flatMap((x) => targets.map((t) => x[t.id]?.aps ?? 0)), 1) * 1.1;
  const X = (t) => pad + ((W - 2 * pad) * t) / tMax;
  const half = (H - 3 * pad) / 2;
  const line = (ys, top, max, colour) => `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${samples.map((x, i) => `${X(x.t).toFixed(1)},${(top + half - (half * (ys[i] ?? 0)) / max).toFixed(1)}`).join(' ')}"/>`;
  const colours = { rootline: '#1f6fb2', unbound: '#c0392b' };
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, '<rect width="100%" height="100%" fill="white"/>'];
  parts.push(`<text x="${pad}" y="${pad - 12}">RSS (MB, max ${rssMax.toFixed(0)})</text>`, `<text x="${pad}" y="${2 * pad + half - 12}">answers/s (max ${qpsMax.toFixed(0)})</text>`);
  for (const t of targets) {
    parts.push(line(samples.map((x) => x[t.id]?.rss), pad, rssMax, colours[t.id]));
    parts.push(line(samples.map((x) => x[t.id]?.aps), 2 * pad + half, qpsMax, colours[t.id]));
  }
  targets.forEach((t, i) => parts.push(`<text x="${W - pad - 120}" y="${pad + 16 * i}" fill="${colours[t.id]}">${t.id}</text>`));
  parts.push(`<text x="${W / 2 - 30}" y="${H - 10}">time (s, ${tMax.toFixed(0)} in all)</text>`, '</svg>');
  return parts.join('\n');
}

try {
  hierarchy = await startHierarchy({ workDir: join(dir, 'lab'), domains: 40, port: 53, prefix: '127.79' });
  const zones = Array.from({ length: 4 }, (_, i) => `d${i}.${['com', 'net', 'org'][i % 3]}`);
  const hot = Array.from({ length: 100 }, (_, i) => `www.d${i % 40}.${['com', 'net', 'org'][i % 3]}`);
  const targets = [{ id: 'rootline', host: '127.0.0.41', port: 5396 }];
  const rootline = startProcess(
    'rootline',
    process.execPath,
    [join(repo, 'dist/cli.js'), 'serve', '--listen', `${targets[0].host}:${targets[0].port}`, '--root-hints', hierarchy.rootHintsPath, '--log-level', 'warn', '--control-socket', 'off', '--cache-memory', opt['cache-memory']],
    { logFile: join(dir, 'rootline.log'), cwd: repo },
  );
  targets[0].pid = rootline.pid;
  if (!opt['no-unbound']) {
    const conf = join(dir, 'unbound.conf');
    writeFileSync(
      conf,
      ['server:', '  interface: 127.0.0.42@5397', '  num-threads: 1', '  do-ip6: no', '  so-reuseport: no', `  root-hints: "${hierarchy.rootHintsPath}"`, '  do-not-query-localhost: no',
        '  module-config: "iterator"', '  access-control: 127.0.0.0/8 allow', '  username: ""', '  chroot: ""', `  directory: "${dir}"`, `  pidfile: "${join(dir, 'unbound.pid')}"`,
        '  use-syslog: no', '  logfile: ""', '  verbosity: 0', 'remote-control:', '  control-enable: no', ''].join('\n'),
    );
    const unbound = startProcess('unbound', 'unbound', ['-d', '-c', conf], { logFile: join(dir, 'unbound.log') });
    targets.push({ id: 'unbound', host: '127.0.0.42', port: 5397, pid: unbound.pid });
  }
  for (const t of targets) await waitForDns(t.host, t.port, { name: hot[0], qtype: 1 });
  const streams = targets.map((t) => ({ t, s: stream(t) }));
  const samples = [];
  const started = Date.now();
  let n = 0;
  console.log(`soak: ${opt.minutes} min at ${qps} q/s to ${targets.map((t) => t.id).join(' and ')}; ${Math.round(100 * (1 - Number(opt.hot)))}% never-seen names under ${zones.join(', ')}`);
  console.log('   t(s)  target      RSS MB  answers/s  SERVFAIL  lost');
  let nextSample = started + SAMPLE_MS;
  while (Date.now() - started < seconds * 1000) {
    // Send this millisecond's share, then yield: a steady rate without a timer per query.
    const due = Math.floor(((Date.now() - started) / 1000) * qps);
    for (; n < due; n++) {
      const name = Math.random() < Number(opt.hot) ? hot[n % hot.length] : `soak${n}-${Math.floor(Math.random() * 1e6)}.${zones[n % zones.length]}`;
      for (const { s } of streams) s.send(name);
    }
    if (Date.now() >= nextSample) {
      const t = Math.round((Date.now() - started) / 1000);
      const sample = { t };
      for (const { t: target, s } of streams) {
        const w = s.take();
        const rss = rssMb(target.pid);
        sample[target.id] = { rss, aps: w.answered / (SAMPLE_MS / 1000), servfail: w.servfail, lost: w.lost };
        console.log(`${String(t).padStart(7)}  ${target.id.padEnd(10)} ${rss?.toFixed(1).padStart(7)}  ${(w.answered / (SAMPLE_MS / 1000)).toFixed(0).padStart(9)}  ${String(w.servfail).padStart(8)}  ${String(w.lost).padStart(4)}`);
      }
      samples.push(sample);
      nextSample += SAMPLE_MS;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, LOST_AFTER_MS + 200));
  for (const { s } of streams) s.close();
  writeFileSync(opt.svg, svg(samples, targets));
  console.log(`\nsummary (${samples.length} samples; RSS growth over the last minute):`);
  for (const t of targets) {
    const own = samples.map((x) => x[t.id]);
    const last = own.at(-1)?.rss ?? 0;
    const minuteAgo = own.at(-7)?.rss ?? own[0]?.rss ?? last;
    const servfail = own.reduce((a, x) => a + x.servfail, 0);
    const lost = own.reduce((a, x) => a + x.lost, 0);
    console.log(`  ${t.id}: RSS ${own[0]?.rss?.toFixed(1)} → ${last.toFixed(1)} MB (max ${Math.max(...own.map((x) => x.rss ?? 0)).toFixed(1)}), last minute ${(100 * (last / minuteAgo - 1)).toFixed(1)}%; SERVFAIL ${servfail}; lost ${lost}`);
  }
  console.log(`plot: ${opt.svg}`);
} finally {
  await cleanup();
}
