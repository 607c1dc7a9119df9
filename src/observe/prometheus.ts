// The metric definitions: one prom-client registry whose counters and gauges are filled from a snapshot at
// scrape time (collect() callbacks), never touched per query. Names follow the Prometheus conventions:
// rootline_ prefix, _total on counters, base units (seconds, bytes). The README's metric list matches this file.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Counters } from '../metrics.js';
import { VERSION } from '../version.js';
import type { MetricsSnapshot } from './snapshot.js';
import { EDE_SLOTS, NO_EDE_SLOT, QTYPE_NAMES, QTYPE_SLOTS, RCODE_NAMES, RCODE_SLOTS, RTT_BUCKETS, CLIENT_TRANSPORTS, TRANSPORTS, TRY_RESULTS } from './tallies.js';


/** RFC 8914 §5 info-code names, for the `reason` label next to the code. */
const EDE_NAMES: Record<number, string> = {
  0: 'Other', 1: 'Unsupported DNSKEY Algorithm', 2: 'Unsupported DS Digest Type', 3: 'Stale Answer', 4: 'Forged Answer',
  5: 'DNSSEC Indeterminate', 6: 'DNSSEC Bogus', 7: 'Signature Expired', 8: 'Signature Not Yet Valid', 9: 'DNSKEY Missing',
  10: 'RRSIGs Missing', 11: 'No Zone Key Bit Set', 12: 'NSEC Missing', 13: 'Cached Error', 14: 'Not Ready', 15: 'Blocked',
  16: 'Censored', 17: 'Filtered', 18: 'Prohibited', 19: 'Stale NXDOMAIN Answer', 20: 'Not Authoritative', 21: 'Not Supported',
  22: 'No Reachable Authority', 23: 'Network Error', 24: 'Invalid Data', 25: 'Signature Expired before Valid', 26: 'Too Early',
  27: 'Unsupported NSEC3 Iterations Value', 28: 'Unable to conform to policy', 29: 'Synthesized', 30: 'Invalid Query Type',
};
/** SERVFAIL reasons always shown (0 until they happen), so dashboards have the series from the start. */
const ALWAYS_SHOWN_EDE = new Set([0, 22, 23, NO_EDE_SLOT]);

const LIMITS: [string, keyof Counters][] = [
  ['query-time', 'limitQueryTime'],
  ['upstream-queries', 'limitUpstreamQueries'],
  ['outstanding', 'limitOutstanding'],
  ['outstanding-per-zone', 'limitOutstandingPerZone'],
  ['cname-chain', 'limitCnameChain'],
  ['referrals', 'limitReferrals'],
  ['ns-lookups', 'limitNsLookups'],
  ['subquery-depth', 'limitSubqueryDepth'],
];

type Labels = Record<string, string>;
type Series = [Labels, number][];

/** A histogram whose buckets come from a snapshot (prom-client's Histogram only takes observations). */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => { bounds: number[]; counts: number[]; sum: number; count: number },
  ) {}

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { metricName: string; labels: Labels; value: number }[] }> {
    const h = this.read();
    let cumulative = 0;
    const values = h.bounds.map((le, i): { metricName: string; labels: Labels; value: number } => {
      cumulative += h.counts[i] ?? 0;
      return { metricName: `${this.name}_bucket`, labels: { le: String(le) }, value: cumulative };
    });
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: h.count });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: h.sum }, { metricName: `${this.name}_count`, labels: {}, value: h.count });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {}
}

/** [transport × names.length + i] arrays as labelled series, every combination present. */
function byTransport(values: readonly number[], names: readonly string[], label: string, transports: readonly string[] = CLIENT_TRANSPORTS): Series {
  return transports.flatMap((transport, t) => names.map((name, i): [Labels, number] => [{ transport, [label]: name }, values[t * names.length + i] ?? 0]));
}

export class PrometheusView {
  readonly registry = new Registry();
  private snapshot: MetricsSnapshot | null = null;
  private rendering: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: () => Promise<MetricsSnapshot>) {
    const snap = (): MetricsSnapshot => {
      if (!this.snapshot) throw new Error('metrics read outside a scrape');
      return this.snapshot;
    };
    const counter = (name: string, help: string, labelNames: string[], series: (s: MetricsSnapshot) => Series): void => {
      const c: Counter = new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect: () => {
          c.reset();
          for (const [labels, value] of series(snap())) c.inc(labels, value);
        },
      });
    };
    const gauge = (name: string, help: string, labelNames: string[], series: (s: MetricsSnapshot) => Series): void => {
      const g: Gauge = new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect: () => {
          g.reset();
          for (const [labels, value] of series(snap())) g.set(labels, value);
        },
      });
    };
    const one = (read: (s: MetricsSnapshot) => number) => (s: MetricsSnapshot): Series => [[{}, read(s)]];

    counter('rootline_queries_total', 'Client queries with a readable question, by transport and query type (rare types as OTHER).', ['transport', 'qtype'], (s) =>
      byTransport(s.queries, QTYPE_NAMES, 'qtype'),
    );
    counter('rootline_responses_total', 'Responses sent to clients, by transport and rcode.', ['transport', 'rcode'], (s) =>
      byTransport(s.responses, RCODE_NAMES.slice(0, RCODE_SLOTS), 'rcode').filter(([l, v]) => v > 0 || ['NOERROR', 'SERVFAIL', 'NXDOMAIN', 'REFUSED', 'FORMERR', 'NOTIMP'].includes(l.rcode!)),
    );
    counter('rootline_dropped_queries_total', 'Client queries answered with nothing (rate limit, outside clients set to drop, max-client-queries, unparseable).', [], one((s) => s.counters.dropped));
    counter('rootline_ratelimited_queries_total', 'Client queries dropped or truncated by the per-client rate limit.', [], one((s) => s.counters.ratelimited));
    counter('rootline_blocked_queries_total', 'Client queries answered as blocked by a blocklist.', [], one((s) => s.counters.blocked));
    counter('rootline_servfail_total', 'SERVFAIL answers by their Extended DNS Error (RFC 8914) code; ede="none" when there was none.', ['ede', 'reason'], (s) => {
      const out: Series = [];
      for (let code = 0; code < EDE_SLOTS; code++) {
        const v = s.servfailByEde[code] ?? 0;
        if (v === 0 && !ALWAYS_SHOWN_EDE.has(code)) continue;
        out.push(code === NO_EDE_SLOT ? [{ ede: 'none', reason: 'none' }, v] : [{ ede: String(code), reason: EDE_NAMES[code] ?? 'Unassigned' }, v]);
      }
      return out;
    });
    counter('rootline_stale_answers_total', 'Answers served from expired cache (RFC 8767 serve-stale).', [], one((s) => s.counters.staleAnswers));
    counter('rootline_prefetches_total', 'Background refreshes of answers near expiry (prefetch) started.', [], one((s) => s.upstream.prefetches));
    counter('rootline_limit_trips_total', 'Times a resolution limit stopped work, by limit.', ['limit'], (s) => LIMITS.map(([limit, field]) => [{ limit }, s.counters[field]]));

    for (const [cache, label, read] of [
      ['answer', 'Answer cache (ready responses, the hot path)', (s: MetricsSnapshot) => s.answerCache],
      ['rrset', 'RRset cache', (s: MetricsSnapshot) => s.rrsetCache],
    ] as const) {
      counter(`rootline_${cache}_cache_hits_total`, `${label}: lookups that found a fresh entry.`, [], one((s) => read(s).hits));
      counter(`rootline_${cache}_cache_misses_total`, `${label}: lookups that found nothing fresh.`, [], one((s) => read(s).misses));
      counter(`rootline_${cache}_cache_evictions_total`, `${label}: entries pushed out by the size bound (cache-memory, cache-size).`, [], one((s) => read(s).evictions));
      gauge(`rootline_${cache}_cache_entries`, `${label}: entries held now.`, [], one((s) => read(s).entries));
      gauge(`rootline_${cache}_cache_bytes`, `${label}: estimated bytes held now (its share of cache-memory).`, [], one((s) => read(s).bytes));
    }
    gauge('rootline_negative_cache_entries', 'Negative cache (NXDOMAIN/NODATA, RFC 2308): entries held now.', [], one((s) => s.negativeCache.entries));
    gauge('rootline_negative_cache_bytes', 'Negative cache: estimated bytes held now (its share of cache-memory).', [], one((s) => s.negativeCache.bytes));

    counter('rootline_upstream_queries_total', 'Queries sent to upstream servers, by transport and how each ended.', ['transport', 'result'], (s) =>
      byTransport(s.upstream.tries, TRY_RESULTS, 'result', TRANSPORTS),
    );
    this.registry.registerMetric(
      new SnapshotHistogram('rootline_upstream_rtt_seconds', 'Round-trip time of upstream queries that got a reply.', () => {
        const s = snap();
        return { bounds: RTT_BUCKETS, counts: s.upstream.rttBuckets, sum: s.upstream.rttSumSeconds, count: s.upstream.rttCount };
      }) as unknown as Metric,
    );

    counter('rootline_proxy_protocol_rejected_total', 'UDP queries and TCP connections dropped for their PROXY v2 header (proxy-protocol-from): missing from a listed source, invalid, oversized, or from an unlisted source.', ['reason'], (s) => [
      [{ reason: 'missing' }, s.counters.proxyHeaderMissing],
      [{ reason: 'invalid' }, s.counters.proxyHeaderInvalid],
      [{ reason: 'oversized' }, s.counters.proxyHeaderOversized],
      [{ reason: 'unlisted' }, s.counters.proxyHeaderUnlisted],
    ]);
    counter('rootline_upstream_tls_fallback_total', 'Upstream queries sent as plain DNS because TLS to a forwarder failed (tls-fallback: plain).', [], one((s) => s.counters.upstreamTlsFallbacks));
    counter('rootline_tcp_connections_accepted_total', 'Client TCP connections accepted.', [], one((s) => s.tcp.accepted));
    counter('rootline_tcp_connections_rejected_total', 'Client TCP connections closed at once (past tcp-max-connections, or shutting down).', [], one((s) => s.tcp.rejected));
    gauge('rootline_tcp_connections', 'Client TCP connections open now.', [], one((s) => s.tcp.open));

    gauge('rootline_process_resident_memory_bytes', 'Resident memory, summed over the primary and every worker.', [], one((s) => s.memory.residentBytes));
    gauge('rootline_process_heap_used_bytes', 'V8 heap in use, summed over every process.', [], one((s) => s.memory.heapUsedBytes));
    gauge('rootline_process_heap_total_bytes', 'V8 heap reserved, summed over every process.', [], one((s) => s.memory.heapTotalBytes));
    gauge('rootline_event_loop_lag_p50_seconds', 'Event-loop lag, median over the last 10 s (the worst worker).', [], one((s) => s.eventLoopLag.p50Seconds));
    gauge('rootline_event_loop_lag_p99_seconds', 'Event-loop lag, 99th percentile over the last 10 s (the worst worker).', [], one((s) => s.eventLoopLag.p99Seconds));
    gauge('rootline_event_loop_lag_max_seconds', 'Event-loop lag, the longest over the last 10 s (the worst worker).', [], one((s) => s.eventLoopLag.maxSeconds));
    gauge('rootline_processes', 'Serving processes the figures are summed over (workers that answered this scrape).', [], one((s) => s.processes));
    gauge('rootline_start_time_seconds', 'Unix time the server started.', [], one((s) => s.startTimeSeconds));
    gauge('rootline_build_info', 'Always 1; the version as a label.', ['version'], () => [[{ version: VERSION }, 1]]);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text of one snapshot; scrapes at once are taken one after the other. */
  render(): Promise<string> {
    const next = this.rendering.then(async () => {
      this.snapshot = await this.source();
      try {
        return await this.registry.metrics();
      } finally {
        this.snapshot = null;
      }
    });
    this.rendering = next.catch(() => undefined);
    return next;
  }
}

/** The snapshot with names instead of slots, zeros left out of the breakdowns: the /stats JSON. */
export function statsJson(s: MetricsSnapshot): Record<string, unknown> {
  const named = (values: readonly number[], names: readonly string[], transports: readonly string[] = CLIENT_TRANSPORTS): Record<string, Record<string, number>> =>
    Object.fromEntries(
      transports.map((t, ti) => [t, Object.fromEntries(names.map((n, i) => [n, values[ti * names.length + i] ?? 0]).filter(([, v]) => v !== 0))]),
    );
  const servfail: Record<string, number> = {};
  s.servfailByEde.forEach((v, code) => {
    if (v > 0) servfail[code === NO_EDE_SLOT ? 'none' : String(code)] = v;
  });
  let cumulative = 0;
  const buckets = Object.fromEntries([...RTT_BUCKETS.map(String), '+Inf'].map((le, i) => [le, (cumulative += s.upstream.rttBuckets[i] ?? 0)]));
  return {
    version: VERSION,
    processes: s.processes,
    uptimeSeconds: Math.max(0, Math.floor(Date.now() / 1000) - s.startTimeSeconds),
    counters: s.counters,
    queries: named(s.queries, QTYPE_NAMES.slice(0, QTYPE_SLOTS)),
    responses: named(s.responses, RCODE_NAMES),
    servfailByEde: servfail,
    answerCache: s.answerCache,
    rrsetCache: s.rrsetCache,
    negativeCache: s.negativeCache,
    upstream: {
      queries: named(s.upstream.tries, TRY_RESULTS, TRANSPORTS),
      rttSeconds: { buckets, sum: s.upstream.rttSumSeconds, count: s.upstream.rttCount },
      prefetches: s.upstream.prefetches,
    },
    tcp: s.tcp,
    memory: s.memory,
    eventLoopLag: s.eventLoopLag,
  };
}
