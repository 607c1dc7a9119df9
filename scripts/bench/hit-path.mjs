#!/usr/bin/env node
// Micro-benchmark of the cache-hit path alone (no sockets): ns per query through pipeline.handle() for answers
// already in the answer cache, next to a bare copy-and-patch of a ready buffer. Run after `npm run build`:
//   node scripts/bench/hit-path.mjs [--metrics] [--scrape-ms 100] [--web] [--web-open] [--queries N] [--json]
// The loop yields every CHUNK queries so timers and sockets get their turn. --metrics also starts the metrics
// endpoint (metrics-listen on 127.0.0.1, event-loop lag monitor) and a scraper in a child process (as Prometheus
// would be) fetches /metrics every 100 ms meanwhile — far more often than any Prometheus would — so the cost of
// serving scrapes shows up in the figure. --web builds the core as web-listen does (every hit also goes into the
// dashboard's query-log ring); --web-open also starts the dashboard and keeps its live Overview stream open from a
// child process (as a browser on the Overview page would), so its once-a-second figures are made meanwhile.
import { spawn } from 'node:child_process';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { DEFAULTS } from '../../dist/config/schema.js';
import { buildCore } from '../../dist/main.js';

const webOpen = process.argv.includes('--web-open');
const web = webOpen || process.argv.includes('--web');
const config = { ...DEFAULTS, rootHints: new URL('../../root-hints/named.root', import.meta.url).pathname, ...(web ? { webListen: '127.0.0.1:0' } : {}) };
const core = await buildCore(config, { logger: pino({ level: 'silent' }) });
const client = { address: '127.0.0.1', port: 40000, transport: 'udp' };
// localhost names are answered locally and kept in the answer cache: no network needed.
const queries = ['localhost', 'a.localhost', 'b.localhost', 'c.localhost'].map((name, id) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }),
);
for (const q of queries) await core.pipeline.handle(q, client);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const withMetrics = process.argv.includes('--metrics');
const N = arg('--queries', 2_000_000);
const CHUNK = 20_000;
let scrapes = 0;
let stopScraping = () => {};
if (withMetrics) {
  const { startMetrics, localSource } = await import('../../dist/observe/serve-metrics.js');
  const { newTcpTallies } = await import('../../dist/observe/tallies.js');
  const http = await startMetrics({ ...DEFAULTS, metricsListen: '127.0.0.1:0' }, pino({ level: 'silent' }), localSource({ ...core, tcp: newTcpTallies() }));
  const url = `http://${http.address}/metrics`;
  // --scrape-ms 0: the endpoint and the lag monitor only, nobody scraping.
  const every = arg('--scrape-ms', 100);
  const scraper =
    every > 0
      ? spawn(process.execPath, ['-e', `setInterval(() => fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => t.includes('rootline_queries_total') && process.stdout.write('.')), ${every})`], { stdio: ['ignore', 'pipe', 'inherit'] })
      : null;
  if (scraper) {
    scraper.stdout.on('data', (d) => (scrapes += d.length));
    // The scraper is up and one scrape is done (first-use costs) before the clock starts.
    await new Promise((r) => scraper.stdout.once('data', r));
    scrapes = 0;
  }
  stopScraping = () => {
    scraper?.kill('SIGKILL');
    return http.close();
  };
}
let events = 0;
let stopWeb = () => {};
if (webOpen) {
  const { startWebServer } = await import('../../dist/web/server.js');
  const { answerLocally } = await import('../../dist/control/answer.js');
  const server = { core, addresses: [], reload: async () => ({ needsRestart: [] }) };
  const proc = { server, configFile: null, readConfig: async () => config, startedMs: Date.now() };
  const w = await startWebServer({ listen: '127.0.0.1:0', passwordHash: '', token: '', control: (req) => answerLocally(proc, req), logger: pino({ level: 'silent' }) });
  const url = `http://${w.address}/api/events`;
  const watcher = spawn(process.execPath, ['-e', `
    const base = ${JSON.stringify(`http://${w.address}`)};
    const r = await fetch(base + '/api/session', { headers: { host: '127.0.0.1' } });
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const res = await fetch(${JSON.stringify(url)}, { headers: { cookie } });
    for await (const chunk of res.body) if (new TextDecoder().decode(chunk).includes('data: ')) process.stdout.write('.');
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  watcher.stdout.on('data', (d) => (events += d.length));
  await new Promise((r) => watcher.stdout.once('data', r));
  events = 0;
  stopWeb = () => {
    watcher.kill('SIGKILL');
    return w.close();
  };
}
let sink = 0;
let t0 = process.hrtime.bigint();
for (let done = 0; done < N; done += CHUNK) {
  for (let i = done; i < done + CHUNK; i++) sink += core.pipeline.handle(queries[i & 3], client).length;
  await new Promise((r) => setImmediate(r));
}
const hit = Number(process.hrtime.bigint() - t0) / N;
await stopScraping();
await stopWeb();
const ready = Buffer.from(core.pipeline.handle(queries[0], client));
t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const q = queries[i & 3];
  const out = Buffer.allocUnsafe(ready.length);
  ready.copy(out);
  out[0] = q[0];
  out[1] = q[1];
  sink += out.length;
}
const bare = Number(process.hrtime.bigint() - t0) / N;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ hitNs: hit, bareNs: bare, metrics: withMetrics, scrapes, web, webOpen, events }));
  process.exit(0);
}
console.log(`pipeline.handle, answer-cache hit: ${hit.toFixed(0)} ns/query${withMetrics ? ` (metrics on, ${scrapes} scrapes meanwhile)` : ''}${web ? ` (web on${webOpen ? `, ${events} live updates meanwhile` : ''})` : ''}`);
console.log(`bare copy + ID patch:              ${bare.toFixed(0)} ns/query`);
console.log(sink > 0 ? '' : 'unexpected');
