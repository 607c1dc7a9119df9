// The metrics endpoint of the real server on loopback: /metrics parsed with a real Prometheus text-format
// parser, counters moving by exactly the queries sent (UDP and TCP, cache hits, upstream tries, SERVFAIL), /stats
// as JSON, and with --workers 2 the figures summed over both workers. Resolution goes through an in-process lab
// hierarchy on 127.73.x.y.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { labServers } from '../../src/lab/lab-zones.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { MetricsHttp } from '../../src/observe/metrics-http.js';
import { localSource, startMetrics } from '../../src/observe/serve-metrics.js';
import { ask, datas } from '../helpers/client.js';
import { assertCliBuilt, freeUdpTcpPort, killAllCli, runCli, spawnCli } from '../helpers/cli.js';
import { scrape, stats, type Scrape } from '../helpers/prometheus.js';

const LAB_PREFIX = '127.73';
const SERVE_ADDR = '127.73.9.1';

let lab: Lab;
let labPort = 0;
let dir = '';
let hints = '';

beforeAll(async () => {
  labPort = await freeUdpTcpPort(labServers(LAB_PREFIX).map((s) => s.address));
  lab = await startLab({ port: labPort, prefix: LAB_PREFIX });
  dir = mkdtempSync(join(tmpdir(), 'rootline-metrics-'));
  hints = join(dir, 'named.root');
  await lab.writeRootHints(hints);
});

afterAll(async () => {
  await killAllCli();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** after − before for one series. */
const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number => after.sum(name, labels) - before.sum(name, labels);

describe('metrics endpoint of one process', () => {
  let server: RunningServer;
  let metrics: MetricsHttp;
  let port = 0;

  beforeAll(async () => {
    const config: Config = { ...DEFAULTS, listen: ['127.0.0.1:0'], rootHints: hints, dnssecValidation: false, upstreamPort: labPort, serveStale: false, metricsListen: '127.0.0.1:0' };
    const logger = pino({ level: 'silent' });
    server = await startServer(config, { logger });
    port = Number(server.addresses[0]!.split(':')[1]);
    metrics = (await startMetrics(config, logger, localSource(server)))!;
  });

  afterAll(async () => {
    await metrics?.close();
    await server?.close();
  });

  it('moves the counters by the queries sent', async () => {
    const first = await scrape(metrics.address);
    expect(first.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = first.parsed;
    // Every family of the README's list is there from the start.
    for (const name of ['rootline_queries_total', 'rootline_responses_total', 'rootline_answer_cache_hits_total', 'rootline_rrset_cache_misses_total', 'rootline_upstream_queries_total', 'rootline_upstream_rtt_seconds', 'rootline_servfail_total', 'rootline_stale_answers_total', 'rootline_prefetches_total', 'rootline_limit_trips_total', 'rootline_dropped_queries_total', 'rootline_tcp_connections_accepted_total', 'rootline_process_resident_memory_bytes', 'rootline_event_loop_lag_p99_seconds']) {
      expect(before.family(name), name).toBeDefined();
    }

    const q = (name: string, tcp = false) => ask('127.0.0.1', port, name, 'A', { edns: true, tcp, timeoutMs: 3000 });
    for (let i = 0; i < 10; i++) expect(datas(await q('www.example.com'))).toEqual(['192.0.2.80']);
    for (let i = 0; i < 3; i++) expect(datas(await q('www.example.com', true))).toEqual(['192.0.2.80']);
    expect((await q('www.lame.com')).rcode).toBe('SERVFAIL');
    expect((await ask('127.0.0.1', port, 'www.example.com', 'MX', { edns: true })).rcode).toBe('NOERROR');

    const after = (await scrape(metrics.address)).parsed;
    expect(delta(before, after, 'rootline_queries_total', { transport: 'udp', qtype: 'A' })).toBe(11);
    expect(delta(before, after, 'rootline_queries_total', { transport: 'tcp', qtype: 'A' })).toBe(3);
    expect(delta(before, after, 'rootline_queries_total', { transport: 'udp', qtype: 'MX' })).toBe(1);
    expect(delta(before, after, 'rootline_responses_total', { transport: 'udp', rcode: 'NOERROR' })).toBe(11);
    expect(delta(before, after, 'rootline_responses_total', { transport: 'tcp', rcode: 'NOERROR' })).toBe(3);
    expect(delta(before, after, 'rootline_responses_total', { rcode: 'SERVFAIL' })).toBe(1);
    expect(delta(before, after, 'rootline_servfail_total')).toBe(1);
    // The first www.example.com A went upstream; the 9 UDP and 3 TCP after it were answer-cache hits.
    expect(delta(before, after, 'rootline_answer_cache_hits_total')).toBe(12);
    expect(delta(before, after, 'rootline_answer_cache_misses_total')).toBe(3);
    expect(after.value('rootline_answer_cache_entries')).toBeGreaterThanOrEqual(2);
    expect(after.value('rootline_rrset_cache_entries')).toBeGreaterThan(0);
    expect(delta(before, after, 'rootline_tcp_connections_accepted_total')).toBe(3);

    const replies = delta(before, after, 'rootline_upstream_queries_total', { result: 'reply' });
    expect(replies).toBeGreaterThanOrEqual(3); // root, com, example.com at least
    const rtt = after.family('rootline_upstream_rtt_seconds')!;
    expect(rtt.type).toBe('HISTOGRAM');
    const h = rtt.metrics[0]!;
    expect(Number(h.count)).toBeGreaterThanOrEqual(replies);
    expect(Number(h.buckets!['+Inf'])).toBe(Number(h.count));
    expect(Number(h.sum)).toBeGreaterThan(0);
    expect(after.value('rootline_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(after.value('rootline_processes')).toBe(1);
    expect(after.value('rootline_build_info', { version: '0.1.0' })).toBe(1);
  });

  it('serves the same figures as JSON at /stats, and says what it serves elsewhere', async () => {
    const before = await stats(metrics.address);
    await ask('127.0.0.1', port, 'www.example.com', 'A', { edns: true });
    const after = await stats(metrics.address);
    const queries = (s: Record<string, unknown>) => (s.counters as { queries: number }).queries;
    expect(queries(after) - queries(before)).toBe(1);
    expect(after.processes).toBe(1);
    expect((after.queries as { udp: Record<string, number> }).udp.A).toBeGreaterThanOrEqual(1);
    expect((after.answerCache as { hits: number }).hits).toBeGreaterThan(0);
    expect(typeof (after.memory as { residentBytes: number }).residentBytes).toBe('number');

    const missing = await fetch(`http://${metrics.address}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/\/metrics/);
    expect((await fetch(`http://${metrics.address}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('rootline serve --workers 2 with metrics-listen', () => {
  it('sums the figures of both workers', async () => {
    assertCliBuilt();
    const metricsPort = await freeUdpTcpPort(['127.0.0.1']);
    const port = await freeUdpTcpPort([SERVE_ADDR]);
    const config = join(dir, 'workers.yaml');
    writeFileSync(config, [`root-hints: ${hints}`, 'dnssec-validation: false', `upstream-port: ${labPort}`, `metrics-listen: 127.0.0.1:${metricsPort}`, 'local-data:', '  - "nas.lan. 300 IN A 192.168.1.10"', ''].join('\n'));
    const p = spawnCli(['serve', '--config', config, '--listen', `${SERVE_ADDR}:${port}`, '--workers', '2', '--log-format', 'json']);
    await p.waitForOutput(/"event":"listening"/, 10_000);
    const at = `127.0.0.1:${metricsPort}`;
    expect(p.stdout() + p.stderr()).toContain(`"url":"http://${at}/metrics"`);
    const before = (await scrape(at)).parsed;
    expect(before.value('rootline_processes')).toBe(2);

    // TCP connections are handed to the workers in turn, so both of them answer some of these.
    const sent = { udp: 8, tcp: 8 };
    for (let i = 0; i < sent.tcp; i++) expect(datas(await ask(SERVE_ADDR, port, 'nas.lan', 'A', { tcp: true, timeoutMs: 3000 }))).toEqual(['192.168.1.10']);
    for (let i = 0; i < sent.udp; i++) expect(datas(await ask(SERVE_ADDR, port, 'www.example.com', 'A', { timeoutMs: 3000 }))).toEqual(['192.0.2.80']);

    const after = (await scrape(at)).parsed;
    expect(after.value('rootline_processes')).toBe(2);
    expect(delta(before, after, 'rootline_queries_total', { transport: 'tcp' })).toBe(sent.tcp);
    expect(delta(before, after, 'rootline_queries_total', { transport: 'udp' })).toBe(sent.udp);
    expect(delta(before, after, 'rootline_responses_total', { rcode: 'NOERROR' })).toBe(sent.tcp + sent.udp);
    expect(delta(before, after, 'rootline_tcp_connections_accepted_total')).toBe(sent.tcp);
    expect(delta(before, after, 'rootline_upstream_queries_total', { result: 'reply' })).toBeGreaterThanOrEqual(3);
    // Each worker has its own answer cache: more than the 2 answers asked for are held only if both workers answered.
    expect(after.value('rootline_answer_cache_entries')).toBeGreaterThanOrEqual(3);

    const json = await stats(at);
    expect(json.processes).toBe(2);
    expect((json.counters as { queries: number }).queries).toBe(sent.tcp + sent.udp);

    // A worker that dies and is restarted from zero leaves its counts in the sums: they never go down.
    const workers = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    expect(workers).toHaveLength(2);
    process.kill(workers[0]!, 'SIGKILL');
    await p.waitForOutput(/"event":"worker_exit"/, 5000);
    const during = (await scrape(at)).parsed;
    expect(during.sum('rootline_queries_total')).toBe(after.sum('rootline_queries_total'));
    expect(during.value('rootline_processes')).toBe(1);
    const restarted = async (): Promise<Scrape> => {
      for (let i = 0; i < 40; i++) {
        const s = (await scrape(at)).parsed;
        if (s.value('rootline_processes') === 2) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the worker was not restarted');
    };
    const again = await restarted();
    expect(again.sum('rootline_queries_total')).toBe(after.sum('rootline_queries_total'));
    expect(again.sum('rootline_responses_total', { rcode: 'NOERROR' })).toBe(after.sum('rootline_responses_total', { rcode: 'NOERROR' }));
    process.kill(p.pid, 'SIGTERM');
    await p.waitForExit(8000);
  });

  it('stops the start in one line when the metrics port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const busy = (taken.address() as net.AddressInfo).port;
    const config = join(dir, 'busy.yaml');
    writeFileSync(config, [`root-hints: ${hints}`, 'dnssec-validation: false', `metrics-listen: 127.0.0.1:${busy}`, ''].join('\n'));
    try {
      const port = await freeUdpTcpPort([SERVE_ADDR]);
      for (const workers of ['1', '2']) {
        const r = await runCli(['serve', '--config', config, '--listen', `${SERVE_ADDR}:${port}`, '--workers', workers, '--log-level', 'warn']);
        expect(r.code, workers).toBe(1);
        expect(r.stderr).toContain(`rootline: metrics-listen 127.0.0.1:${busy} is already in use: pick another port [RL_ERR_PORT_IN_USE]`);
      }
    } finally {
      taken.close();
    }
  });

  it('refuses a non-loopback metrics-listen without metrics-allow-remote, naming the key and line', async () => {
    const config = join(dir, 'remote.yaml');
    writeFileSync(config, ['listen: 127.73.9.2:5353', 'metrics-listen: 0.0.0.0:9153', ''].join('\n'));
    const r = await runCli(['serve', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/remote\.yaml line 2: 'metrics-listen' 0\.0\.0\.0:9153 is not a loopback address.*'metrics-allow-remote: true'.*\[RL_ERR_CONFIG_VALUE\]/);
  });
});
