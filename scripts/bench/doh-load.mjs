#!/usr/bin/env node
// A DNS over HTTPS load generator: C persistent HTTP/2 connections, each keeping S streams in flight (POST of
// application/dns-message, RFC 8484 §4.1), for a fixed time; prints one JSON line with queries/s, answers by
// status, lost and latency. dnsperf 2.10's DoH mode handles one response per TLS read and stalls on servers that
// write several in one record (Node's http2 does), so the DoH rows of encrypted.mjs use this for every server.
//   node scripts/bench/doh-load.mjs --url https://127.0.0.31:8443/dns-query --ca ca.pem --names names.txt \
//     [--connections 4] [--streams 100] [--seconds 5] [--warmup-seconds 1] [--timeout-ms 5000]
// Loopback only: it refuses any other address.
import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    ca: { type: 'string' },
    names: { type: 'string' },
    connections: { type: 'string', default: '4' },
    streams: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '5000' },
  },
});
if (!opt.url || !opt.names) {
  console.error('usage: doh-load.mjs --url https://ADDR:PORT/dns-query --names FILE [--ca PEM] [--connections N] [--streams N] [--seconds N]');
  process.exit(2);
}
const url = new URL(opt.url);
const host = url.hostname.replace(/^\[|\]$/g, '');
if (!(isIP(host) === 4 ? host.startsWith('127.') : host === '::1')) {
  console.error(`doh-load: ${host} is not a loopback address`);
  process.exit(2);
}

/** A query for `name` type A, ID 0 (RFC 8484 §4.1: caches see identical requests), RD set. */
function query(name) {
  const labels = name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const header = Buffer.from([0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]);
}

const names = readFileSync(opt.names, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
const queries = names.map(query);
const ca = opt.ca ? readFileSync(opt.ca) : undefined;
const connections = Number(opt.connections);
const streams = Number(opt.streams);
const seconds = Number(opt.seconds);
const timeoutMs = Number(opt['timeout-ms']);

const stats = { sent: 0, answered: 0, lost: 0, statuses: {}, latencyMs: 0, errors: 0 };
let measuring = false;
let stopping = false;
let next = 0;

function connect() {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url.origin, { ca, servername: isIP(host) ? undefined : host, rejectUnauthorized: ca !== undefined });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Keeps one stream going on `session` until stopping: each answer starts the next query. */
function loop(session) {
  return new Promise((resolve) => {
    const one = () => {
      if (stopping || session.destroyed) return resolve();
      const body = queries[next++ % queries.length];
      const started = performance.now();
      const counted = measuring;
      if (counted) stats.sent++;
      const req = session.request({ ':method': 'POST', ':path': url.pathname, 'content-type': 'application/dns-message', accept: 'application/dns-message', 'content-length': String(body.length) });
      let status = 0;
      let size = 0;
      let done = false;
      const finish = (ok) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (counted && measuring) {
          if (ok) {
            stats.answered++;
            stats.latencyMs += performance.now() - started;
            stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
          } else stats.lost++;
        }
        setImmediate(one);
      };
      const timer = setTimeout(() => (req.close(http2.constants.NGHTTP2_CANCEL), finish(false)), timeoutMs);
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c) => (size += c.length));
      req.on('end', () => finish(status === 200 && size >= 12));
      req.on('error', () => (stats.errors++, finish(false)));
      req.end(body);
    };
    one();
  });
}

const sessions = await Promise.all(Array.from({ length: connections }, connect));
// Warm-up (TLS done, both sides' JIT warm: a Node server's http2 path takes seconds), then the measured window.
const loops = sessions.flatMap((s) => Array.from({ length: streams }, () => loop(s)));
await new Promise((r) => setTimeout(r, Number(opt['warmup-seconds']) * 1000));
measuring = true;
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
stopping = true;
await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, timeoutMs))]);
for (const s of sessions) s.destroy();
console.log(
  JSON.stringify({
    qps: stats.answered / elapsed,
    sent: stats.sent,
    answered: stats.answered,
    lost: stats.lost,
    errors: stats.errors,
    statuses: stats.statuses,
    avgLatencyMs: stats.answered ? stats.latencyMs / stats.answered : null,
    connections,
    streams,
    seconds: elapsed,
  }),
);
