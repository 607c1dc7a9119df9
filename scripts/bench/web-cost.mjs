#!/usr/bin/env node
// What the web dashboard costs on the cache-hit path, off / on / open interleaved round by round (single runs on
// a shared VM swing by ±30%, so only medians over rounds say anything):
//  1. in-process: scripts/bench/hit-path.mjs (ns per query through pipeline.handle()) plain, with --web (every hit
//     also goes into the query-log ring) and with --web-open (the dashboard up, its live Overview stream read by
//     a child process, as a browser on the Overview page does);
//  2. whole server: `rootline serve --workers 1` answering local-data names from its answer cache, driven by
//     dnsperf for --seconds: without web-listen, with it and nobody watching, and with the Overview stream open.
// Run after `npm run build`:
//   node scripts/bench/web-cost.mjs [--rounds 5] [--seconds 5] [--queries 3000000] [--skip-server] [--skip-hit-path]
// Loopback only; every process it starts is stopped by PID.
/* global AbortController, TextDecoder */
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
const queries = Number(arg('--queries', 3_000_000));
const HOST = '127.0.0.32';
process.on('exit', killAllSync);
process.on('SIGINT', () => process.exit(130));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
/** The median over rounds of (b / a − 1): each round's runs are back to back, so drift between rounds cancels. */
const paired = (a, b) => `${((median(a.map((x, i) => b[i] / x)) - 1) * 100).toFixed(1)}%`;
const MODES = ['off', 'on', 'open'];
const LABEL = { off: 'web off', on: 'web on, nobody watching', open: 'web on, Overview open (live stream)' };

function hitPath(mode) {
  const flags = mode === 'off' ? [] : mode === 'on' ? ['--web'] : ['--web-open'];
  const args = [join(ROOT, 'scripts/bench/hit-path.mjs'), '--json', '--queries', String(queries), ...flags];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop());
}

if (!process.argv.includes('--skip-hit-path')) {
  const hp = { off: [], on: [], open: [] };
  let events = 0;
  for (let r = 0; r < rounds; r++) {
    // Rotated each round, so no mode always runs first.
    for (const mode of MODES.map((_, i) => MODES[(i + r) % 3])) {
      const res = hitPath(mode);
      hp[mode].push(res.hitNs);
      events += res.events ?? 0;
    }
    process.stderr.write(`hit path round ${r + 1}/${rounds}: ${MODES.map((m) => `${m} ${hp[m].at(-1).toFixed(0)} ns`).join(', ')}\n`);
  }
  console.log(`## Hit path in process (hit-path.mjs, ${fmt(queries)} queries a run, ${rounds} rounds; ${events} live updates in the "open" runs)\n`);
  console.log('| | min ns/query | median ns/query | median vs off | per-round pairs vs off (median) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const m of MODES) console.log(`| ${LABEL[m]} | ${fmt(Math.min(...hp[m]))} | ${fmt(median(hp[m]))} | ${((median(hp[m]) / median(hp.off) - 1) * 100).toFixed(1)}% | ${paired(hp.off, hp[m])} |`);
}

/** Reads the live Overview stream as a browser would; returns a stop function and a counter of updates. */
async function watch(base) {
  const session = await fetch(`${base}/api/session`);
  const cookie = session.headers.get('set-cookie').split(';')[0];
  const ac = new AbortController();
  const seen = { events: 0 };
  const res = await fetch(`${base}/api/events`, { headers: { cookie }, signal: ac.signal });
  void (async () => {
    try {
      for await (const chunk of res.body) seen.events += (new TextDecoder().decode(chunk).match(/^data: /gm) ?? []).length;
    } catch {
      // aborted
    }
  })();
  return { seen, stop: () => ac.abort() };
}

if (!process.argv.includes('--skip-server')) {
  const dir = mkdtempSync(join(tmpdir(), 'rootline-web-cost-'));
  const names = Array.from({ length: 100 }, (_, i) => `h${i}.bench.lan.`);
  writeFileSync(join(dir, 'names.txt'), names.map((n) => `${n} A`).join('\n') + '\n');
  let port = 5491;
  while (!(await udpPortFree(HOST, port))) port++;
  const webPort = port + 1000;
  const config = (web) => {
    const file = join(dir, `${web ? 'on' : 'off'}.yaml`);
    const lines = ['log-level: warn', 'local-data:', ...names.map((n, i) => `  - "${n} 3600 IN A 192.0.2.${i + 1}"`)];
    if (web) lines.push(`web-listen: ${HOST}:${webPort}`);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  const qps = { off: [], on: [], open: [] };
  let events = 0;
  for (let r = 0; r < rounds; r++) {
    for (const mode of MODES.map((_, i) => MODES[(i + r) % 3])) {
      const p = startProcess(`rootline-web-${mode}`, process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--listen', `${HOST}:${port}`, '--workers', '1', '--control-socket', 'off', '--config', config(mode !== 'off')], { logFile: join(dir, `${mode}.log`) });
      let watcher = null;
      try {
        const up = await waitForDns(HOST, port, { name: names[0], qtype: 1, proc: p });
        if (!up.ok) throw new Error(`rootline did not answer on ${HOST}:${port}`);
        await dnsperf({ host: HOST, port, dataFile: join(dir, 'names.txt'), mode: 'once', limitSec: 10, clients: 1 });
        if (mode === 'open') watcher = await watch(`http://${HOST}:${webPort}`);
        const res = await dnsperf({ host: HOST, port, dataFile: join(dir, 'names.txt'), mode: 'timed', seconds, clients: 4 });
        if (!res.ok) throw new Error(res.error);
        qps[mode].push(res.qps);
        if (watcher) events += watcher.seen.events;
        process.stderr.write(`server round ${r + 1}/${rounds}, ${mode}: ${fmt(res.qps)} q/s, p99 ${res.p99LatencyMs?.toFixed(2)} ms, lost ${res.lost}${watcher ? `, ${watcher.seen.events} live updates` : ''}\n`);
      } finally {
        watcher?.stop();
        await stopProcess(p);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n## Whole server (dnsperf -l ${seconds} -c 4 against \`rootline serve --workers 1\`, 100 local-data names, ${rounds} rounds; ${events} live updates read in the "open" runs)\n`);
  console.log('| | min q/s | median q/s | median vs off | per-round pairs vs off (median) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const m of MODES) console.log(`| ${LABEL[m]} | ${fmt(Math.min(...qps[m]))} | ${fmt(median(qps[m]))} | ${((median(qps[m]) / median(qps.off) - 1) * 100).toFixed(1)}% | ${paired(qps.off, qps[m])} |`);
}
