// The metrics parts without sockets: the code-indexed tallies, summing snapshots over workers, the Prometheus
// rendering (read back with a real parser) and the metrics-listen rules of the config loader.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { PrometheusView, statsJson } from '../../../src/observe/prometheus.js';
import { emptySnapshot, sumSnapshots, takeSnapshot, type MetricsSnapshot } from '../../../src/observe/snapshot.js';
import { countTry, edeSlot, NO_EDE_SLOT, newPipelineTallies, newTcpTallies, newUpstreamTallies, QTYPE_NAMES, qtypeSlot, RTT_BUCKETS } from '../../../src/observe/tallies.js';
import { newCounters } from '../../../src/metrics.js';
import { parseScrape } from '../../helpers/prometheus.js';

function snapshotWith(f: (s: ReturnType<typeof source>) => void): MetricsSnapshot {
  const s = source();
  f(s);
  return takeSnapshot(s);
}

function source() {
  return {
    pipeline: { counters: newCounters(), tallies: newPipelineTallies() },
    resolver: { tallies: newUpstreamTallies() },
    answerCache: { tallies: { hits: 0, misses: 0, evictions: 0 }, size: 0, bytes: 0 },
    rrsets: { tallies: { hits: 0, misses: 0, evictions: 0 }, size: 0, bytes: 0 },
    negatives: { size: 0, bytes: 0 },
    tcp: newTcpTallies(),
  };
}

describe('tallies', () => {
  it('give common query types a slot each and the rest OTHER', () => {
    expect(QTYPE_NAMES[qtypeSlot(1)]).toBe('A');
    expect(QTYPE_NAMES[qtypeSlot(28)]).toBe('AAAA');
    expect(QTYPE_NAMES[qtypeSlot(65)]).toBe('HTTPS');
    expect(QTYPE_NAMES[qtypeSlot(257)]).toBe('CAA');
    expect(QTYPE_NAMES[qtypeSlot(99)]).toBe('OTHER');
    expect(QTYPE_NAMES[qtypeSlot(65280)]).toBe('OTHER');
    expect(edeSlot(22)).toBe(22);
    expect(edeSlot(undefined)).toBe(NO_EDE_SLOT);
    expect(edeSlot(4000)).toBe(NO_EDE_SLOT);
  });

  it('put each upstream RTT in the first bucket that holds it', () => {
    const t = newUpstreamTallies();
    countTry(t, 'reply', false, 0.5); // 0.5 ms ≤ 1 ms
    countTry(t, 'reply', true, 1); // exactly 1 ms: le="0.001"
    countTry(t, 'truncated', false, 30); // ≤ 50 ms
    countTry(t, 'timeout', false, null);
    countTry(t, 'reply', false, 60_000); // past every bound
    expect(t.rttBuckets[0]).toBe(2);
    expect(t.rttBuckets[RTT_BUCKETS.indexOf(0.05)]).toBe(1);
    expect(t.rttBuckets[RTT_BUCKETS.length]).toBe(1);
    expect(t.rttCount).toBe(4);
    expect(t.tries[0]).toBe(2); // udp reply
  });
});

describe('snapshots', () => {
  it('sum counts and memory over workers, keep the worst lag and the earliest start', () => {
    const a = snapshotWith((s) => {
      s.pipeline.counters.queries = 5;
      s.pipeline.tallies.queries[0] = 5;
      s.answerCache.size = 10;
      s.resolver.tallies.rttBuckets[2] = 1;
    });
    const b = snapshotWith((s) => {
      s.pipeline.counters.queries = 7;
      s.pipeline.tallies.queries[0] = 3;
      s.answerCache.size = 4;
      s.tcp.accepted = 2;
      s.tcp.closed = 1;
    });
    a.eventLoopLag = { p50Seconds: 0.001, p99Seconds: 0.01, maxSeconds: 0.02 };
    b.eventLoopLag = { p50Seconds: 0.002, p99Seconds: 0.005, maxSeconds: 0.03 };
    b.startTimeSeconds = a.startTimeSeconds - 100;
    const sum = sumSnapshots([a, b]);
    expect(sum.processes).toBe(2);
    expect(sum.counters.queries).toBe(12);
    expect(sum.queries[0]).toBe(8);
    expect(sum.answerCache.entries).toBe(14);
    expect(sum.upstream.rttBuckets[2]).toBe(1);
    expect(sum.tcp).toEqual({ accepted: 2, rejected: 0, closed: 1, open: 1 });
    expect(sum.memory.residentBytes).toBe(a.memory.residentBytes + b.memory.residentBytes);
    expect(sum.eventLoopLag).toEqual({ p50Seconds: 0.002, p99Seconds: 0.01, maxSeconds: 0.03 });
    expect(sum.startTimeSeconds).toBe(b.startTimeSeconds);
    expect(sumSnapshots([]).processes).toBe(0);
    // They cross the cluster channel as JSON.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('the Prometheus view', () => {
  it('renders a snapshot that a Prometheus parser reads back, counters named _total', async () => {
    const snap = snapshotWith((s) => {
      s.pipeline.tallies.queries[1 * QTYPE_NAMES.length + qtypeSlot(28)] = 4; // tcp AAAA
      s.pipeline.tallies.servfailByEde[22] = 2;
      s.pipeline.tallies.servfailByEde[NO_EDE_SLOT] = 1;
      s.pipeline.counters.limitNsLookups = 3;
      s.resolver.tallies.prefetches = 6;
      countTry(s.resolver.tallies, 'reply', false, 3);
      countTry(s.resolver.tallies, 'reply', false, 300);
    });
    const view = new PrometheusView(() => Promise.resolve(snap));
    const p = parseScrape(await view.render());
    for (const f of p.families) {
      expect(f.name).toMatch(/^rootline_[a-z0-9_]+$/);
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
    }
    expect(p.value('rootline_queries_total', { transport: 'tcp', qtype: 'AAAA' })).toBe(4);
    expect(p.value('rootline_servfail_total', { ede: '22', reason: 'No Reachable Authority' })).toBe(2);
    expect(p.value('rootline_servfail_total', { ede: 'none' })).toBe(1);
    expect(p.value('rootline_limit_trips_total', { limit: 'ns-lookups' })).toBe(3);
    expect(p.value('rootline_prefetches_total')).toBe(6);
    const h = p.family('rootline_upstream_rtt_seconds')!.metrics[0]!;
    expect(h.buckets).toMatchObject({ '0.005': '1', '0.25': '1', '0.5': '2', '+Inf': '2' });
    expect(Number(h.sum)).toBeCloseTo(0.303);
    // Two scrapes at once each get a whole snapshot.
    const [x, y] = await Promise.all([view.render(), view.render()]);
    expect(x).toBe(y);
  });

  it('gives /stats names instead of slots', () => {
    const snap = sumSnapshots([snapshotWith((s) => (s.pipeline.tallies.queries[qtypeSlot(1)] = 2))]);
    const j = statsJson(snap) as { queries: { udp: Record<string, number>; tcp: Record<string, number> } };
    expect(j.queries).toEqual({ udp: { A: 2 }, tcp: {}, tls: {}, https: {} });
    expect(statsJson(emptySnapshot())).toMatchObject({ processes: 0 });
  });
});

describe('metrics-listen in the config file', () => {
  it('takes a loopback ADDR:PORT, and another address only with metrics-allow-remote', () => {
    expect(parseConfig('metrics-listen: 127.0.0.1:9153\n', 'r.yaml').metricsListen).toBe('127.0.0.1:9153');
    expect(parseConfig('metrics-listen: "[::1]:9153"\n', 'r.yaml').metricsListen).toBe('[::1]:9153');
    expect(parseConfig('metrics-listen: 192.168.1.2:9153\nmetrics-allow-remote: true\n', 'r.yaml')).toMatchObject({ metricsListen: '192.168.1.2:9153', metricsAllowRemote: true });
    expect(() => parseConfig('log-level: info\nmetrics-listen: 192.168.1.2:9153\n', 'r.yaml')).toThrow(/^r\.yaml line 2: 'metrics-listen' 192\.168\.1\.2:9153 is not a loopback address/);
    expect(() => parseConfig('metrics-listen: 127.0.0.1\n', 'r.yaml')).toThrow(/line 1: 'metrics-listen' '127\.0\.0\.1' has no port/);
    expect(() => parseConfig('metrics-listen: localhost:9153\n', 'r.yaml')).toThrow(/line 1: 'metrics-listen' 'localhost:9153': 'localhost' is not an IPv4 or IPv6 address/);
  });
});

describe('contrib/grafana-dashboard.json', () => {
  it('uses only metrics that /metrics serves', async () => {
    const { readFileSync } = await import('node:fs');
    const dashboard = JSON.parse(readFileSync('contrib/grafana-dashboard.json', 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const served = new Set(parseScrape(await new PrometheusView(() => Promise.resolve(emptySnapshot())).render()).families.flatMap((f) =>
      f.type === 'HISTOGRAM' ? [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name],
    ));
    const used = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/rootline_[a-z0-9_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((name) => !served.has(name))).toEqual([]);
    expect(JSON.stringify(dashboard)).toContain('label_values(rootline_build_info, instance)');
  });
});
