#!/usr/bin/env node
// What the metrics endpoint costs on the cache-hit path, two ways, metrics off and on interleaved round by round
// (this VM's single runs swing by ±30%, so only medians over rounds say anything):
//  1. in-process: scripts/bench/hit-path.mjs (ns per query through pipeline.handle()), without and with
//     --metrics (endpoint up, scraped every 100 ms during the loop); --baseline DIR adds a built checkout of an
//     older commit (before the tallies) as a third column;
//  2. whole server: `rootline serve` on 127.0.0.31 answering local-data names from its answer cache, driven by
//     dnsperf for --seconds, without and with metrics-listen (scraped every second meanwhile).
// Run after `npm run build`:
//   node scripts/bench/metrics-cost.mjs [--rounds 5] [--seconds 5] [--queries 5000000] [--baseline DIR]
//                                       [--skip-server] [--skip-hit-path]
// Loopback only; every process it starts is stopped by PID.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dnsperf } from './dnsperf.mjs';
import { killAllSync, startProcess, stopProcess, udpPortFree, waitForDns } from './proc.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('--rounds', 5));
const seconds = Number(arg('--seconds', 5));
const queries = Number(arg('--queries', 5_000_000));
const baseline = arg('--baseline', null);
const HOST = '127.0.0.31';
process.on('exit', killAllSync);
process.on('SIGINT', () => process.exit(130));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
/** The median over rounds of (b / a − 1): each round's pair ran back to back, so drift between rounds cancels. */
const paired = (a, b) => `${((median(a.map((x, i) => b[i] / x)) - 1) * 100).toFixed(1)}%`;

/** scrapeMs: null = metrics off; 0 = endpoint and lag monitor up, nobody scraping; else the scrape period. */
function hitPath(root, scrapeMs) {
  const args = [join(root, 'scripts/bench/hit-path.mjs'), '--json', '--queries', String(queries), ...(scrapeMs === null ? [] : ['--metrics', '--scrape-ms', String(scrapeMs)])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop());
}

const hp = { off: [], idle: [], on1s: [], on: [], baseline: [] };
let scrapes = 0;
for (let r = 0; r < (process.argv.includes('--skip-hit-path') ? 0 : rounds); r++) {
  if (baseline) hp.baseline.push(hitPath(baseline, null).hitNs);
  hp.off.push(hitPath(ROOT, null).hitNs);
  hp.idle.push(hitPath(ROOT, 0).hitNs);
  hp.on1s.push(hitPath(ROOT, 1000).hitNs);
  const on = hitPath(ROOT, 100);
  hp.on.push(on.hitNs);
  scrapes += on.scrapes;
  process.stderr.write(`hit path round ${r + 1}/${rounds}: off ${hp.off.at(-1).toFixed(0)} ns, on/idle ${hp.idle.at(-1).toFixed(0)} ns, on/1 s ${hp.on1s.at(-1).toFixed(0)} ns, on/100 ms ${on.hitNs.toFixed(0)} ns (${on.scrapes} scrapes)${baseline ? `, baseline ${hp.baseline.at(-1).toFixed(0)} ns` : ''}\n`);
}
if (hp.off.length > 0) {
console.log(`## Hit path in process (hit-path.mjs, ${fmt(queries)} queries a run, ${rounds} interleaved rounds; ${scrapes} scrapes in the 100 ms runs)\n`);
console.log('| | min ns/query | median ns/query | median vs off | per-round pairs vs off (median) |');
console.log('|---|---:|---:|---:|---:|');
const row = (name, xs) => console.log(`| ${name} | ${fmt(Math.min(...xs))} | ${fmt(median(xs))} | ${((median(xs) / median(hp.off) - 1) * 100).toFixed(1)}% | ${paired(hp.off, xs)} |`);
if (baseline) row(`baseline (${baseline})`, hp.baseline);
row('metrics off', hp.off);
row('metrics on, nobody scraping', hp.idle);
row('metrics on, scraped every second', hp.on1s);
row('metrics on, scraped every 100 ms', hp.on);
}

if (!process.argv.includes('--skip-server')) {
  const dir = mkdtempSync(join(tmpdir(), 'rootline-metrics-cost-'));
  const names = Array.from({ length: 100 }, (_, i) => `h${i}.bench.lan.`);
  writeFileSync(join(dir, 'names.txt'), names.map((n) => `${n} A`).join('\n') + '\n');
  let port = 5391;
  while (!(await udpPortFree(HOST, port))) port++;
  const metricsPort = port + 1000;
  const config = (metrics) => {
    const file = join(dir, `${metrics ? 'on' : 'off'}.yaml`);
    const lines = ['log-level: warn', 'local-data:', ...names.map((n, i) => `  - "${n} 3600 IN A 192.0.2.${i + 1}"`)];
    if (metrics) lines.push(`metrics-listen: 127.0.0.1:${metricsPort}`);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  const qps = { off: [], on: [] };
  for (let r = 0; r < rounds; r++) {
    // ABBA order, so a drift in the machine's load does not favour either.
    for (const mode of r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const p = startProcess(`rootline-${mode}`, process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--listen', `${HOST}:${port}`, '--workers', '1', '--config', config(mode === 'on')], { logFile: join(dir, `${mode}.log`) });
      let scraper = null;
      try {
        const up = await waitForDns(HOST, port, { name: names[0], qtype: 1, proc: p });
        if (!up.ok) throw new Error(`rootline did not answer on ${HOST}:${port}`);
        // One pass so every name is in the answer cache before the timed run.
        await dnsperf({ host: HOST, port, dataFile: join(dir, 'names.txt'), mode: 'once', limitSec: 10, clients: 1 });
        if (mode === 'on') scraper = setInterval(() => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((x) => x.text()).catch(() => undefined), 1000);
        const res = await dnsperf({ host: HOST, port, dataFile: join(dir, 'names.txt'), mode: 'timed', seconds, clients: 4 });
        if (!res.ok) throw new Error(res.error);
        qps[mode].push(res.qps);
        process.stderr.write(`server round ${r + 1}/${rounds}, metrics ${mode}: ${fmt(res.qps)} q/s, p99 ${res.p99LatencyMs?.toFixed(2)} ms, lost ${res.lost}\n`);
      } finally {
        if (scraper) clearInterval(scraper);
        await stopProcess(p);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n## Whole server (dnsperf -l ${seconds} -c 4 against \`rootline serve --workers 1\`, 100 local-data names, ${rounds} interleaved rounds)\n`);
  console.log('| | min q/s | median q/s | median vs off | per-round pairs vs off (median) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, xs] of [['metrics off', qps.off], ['metrics on, scraped every second', qps.on]]) {
    console.log(`| ${name} | ${fmt(Math.min(...xs))} | ${fmt(median(xs))} | ${((median(xs) / median(qps.off) - 1) * 100).toFixed(1)}% | ${paired(qps.off, xs)} |`);
  }
}
