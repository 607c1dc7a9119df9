// One process's figures at one moment, as plain JSON (it crosses the cluster IPC channel): the counters the
// pipeline, caches, resolver and TCP listeners bump in place, copied out at scrape time, plus memory and
// event-loop lag. A cluster primary sums its workers' snapshots; /metrics and /stats both render a snapshot.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { newCounters, type Counters } from '../metrics.js';
import type { CacheTallies, PipelineTallies, TcpTallies, UpstreamTallies } from './tallies.js';

export interface CacheFigures extends CacheTallies {
  entries: number;
  /** Estimated bytes held (cache-memory's share). */
  bytes: number;
}

export interface MetricsSnapshot {
  /** Processes the figures were summed over (workers answering; 1 without --workers). */
  processes: number;
  /** Unix time the oldest of them started, seconds. */
  startTimeSeconds: number;
  counters: Counters;
  /** See PipelineTallies for the layout of these three. */
  queries: number[];
  responses: number[];
  servfailByEde: number[];
  answerCache: CacheFigures;
  rrsetCache: CacheFigures;
  negativeCache: { entries: number; bytes: number };
  upstream: { tries: number[]; rttBuckets: number[]; rttSumSeconds: number; rttCount: number; prefetches: number };
  tcp: TcpTallies & { open: number };
  /** Summed over the processes (and a cluster primary). */
  memory: { residentBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number };
  /** Over the last completed window (LAG_WINDOW_MS); the worst process. */
  eventLoopLag: { p50Seconds: number; p99Seconds: number; maxSeconds: number };
}

/** What a snapshot is read from: a RunningServer has all of it. */
export interface SnapshotSource {
  pipeline: { counters: Counters; tallies: PipelineTallies };
  resolver: { tallies: UpstreamTallies };
  answerCache: { tallies: CacheTallies; size: number; bytes: number };
  rrsets: { tallies: CacheTallies; size: number; bytes: number };
  negatives: { size: number; bytes: number };
  tcp: TcpTallies;
}

/** Event-loop lag is reported over windows of this length. */
export const LAG_WINDOW_MS = 10_000;

let lag: { histogram: IntervalHistogram; last: MetricsSnapshot['eventLoopLag'] | null } | null = null;

/** The lag sampler's period, ms: each sample is the time between two ticks, so this much is not lag. */
const LAG_RESOLUTION_MS = 10;

/** Starts measuring this process's event-loop lag (once; a timer every 10 ms inside libuv). */
export function startLagMonitor(): void {
  if (lag) return;
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  histogram.enable();
  lag = { histogram, last: null };
  const state = lag;
  setInterval(() => {
    state.last = lagOf(histogram);
    histogram.reset();
  }, LAG_WINDOW_MS).unref();
}

function lagOf(h: IntervalHistogram): MetricsSnapshot['eventLoopLag'] {
  // Nanoseconds between ticks, the sampling period included; an empty histogram reports NaN or huge values.
  const s = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS) / 1000 : 0);
  return { p50Seconds: s(h.percentile(50)), p99Seconds: s(h.percentile(99)), maxSeconds: s(h.max) };
}

function currentLag(): MetricsSnapshot['eventLoopLag'] {
  if (!lag) return { p50Seconds: 0, p99Seconds: 0, maxSeconds: 0 };
  return lag.last ?? lagOf(lag.histogram);
}

export function processMemory(): MetricsSnapshot['memory'] {
  const m = process.memoryUsage();
  return { residentBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external };
}

const startTimeSeconds = Math.floor(Date.now() / 1000 - process.uptime());

export function takeSnapshot(s: SnapshotSource): MetricsSnapshot {
  const cache = (c: { tallies: CacheTallies; size: number; bytes: number }): CacheFigures => ({ ...c.tallies, entries: c.size, bytes: c.bytes });
  const u = s.resolver.tallies;
  return {
    processes: 1,
    startTimeSeconds,
    counters: { ...s.pipeline.counters },
    queries: Array.from(s.pipeline.tallies.queries),
    responses: Array.from(s.pipeline.tallies.responses),
    servfailByEde: Array.from(s.pipeline.tallies.servfailByEde),
    answerCache: cache(s.answerCache),
    rrsetCache: cache(s.rrsets),
    negativeCache: { entries: s.negatives.size, bytes: s.negatives.bytes },
    upstream: { tries: Array.from(u.tries), rttBuckets: Array.from(u.rttBuckets), rttSumSeconds: u.rttSumSeconds, rttCount: u.rttCount, prefetches: u.prefetches },
    tcp: { ...s.tcp, open: s.tcp.accepted - s.tcp.closed },
    memory: processMemory(),
    eventLoopLag: currentLag(),
  };
}

/** A snapshot of nothing: what the sum of no workers is. */
export function emptySnapshot(): MetricsSnapshot {
  return {
    processes: 0,
    startTimeSeconds: Math.floor(Date.now() / 1000),
    counters: newCounters(),
    queries: [],
    responses: [],
    servfailByEde: [],
    answerCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
    rrsetCache: { hits: 0, misses: 0, evictions: 0, entries: 0, bytes: 0 },
    negativeCache: { entries: 0, bytes: 0 },
    upstream: { tries: [], rttBuckets: [], rttSumSeconds: 0, rttCount: 0, prefetches: 0 },
    tcp: { accepted: 0, rejected: 0, closed: 0, open: 0 },
    memory: { residentBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0 },
    eventLoopLag: { p50Seconds: 0, p99Seconds: 0, maxSeconds: 0 },
  };
}

/** Adds every number of `from` into `into`, arrays element by element (a shorter array grows). */
function addInto(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const have = into[k];
    if (typeof v === 'number') into[k] = (typeof have === 'number' ? have : 0) + v;
    else if (Array.isArray(v)) {
      const arr = Array.isArray(have) ? (have as number[]) : (into[k] = []);
      (v as number[]).forEach((x, i) => ((arr as number[])[i] = ((arr as number[])[i] ?? 0) + x));
    } else if (v && typeof v === 'object') {
      if (!have || typeof have !== 'object') into[k] = {};
      addInto(into[k] as Record<string, unknown>, v as Record<string, unknown>);
    }
  }
}

/** The workers' snapshots as one: counts and memory summed, lag the worst, start time the earliest. */
export function sumSnapshots(parts: readonly MetricsSnapshot[]): MetricsSnapshot {
  const out = emptySnapshot();
  for (const p of parts) {
    const { eventLoopLag, startTimeSeconds: started, ...rest } = p;
    addInto(out as unknown as Record<string, unknown>, rest as unknown as Record<string, unknown>);
    out.startTimeSeconds = Math.min(out.startTimeSeconds, started);
    out.eventLoopLag = {
      p50Seconds: Math.max(out.eventLoopLag.p50Seconds, eventLoopLag.p50Seconds),
      p99Seconds: Math.max(out.eventLoopLag.p99Seconds, eventLoopLag.p99Seconds),
      maxSeconds: Math.max(out.eventLoopLag.maxSeconds, eventLoopLag.maxSeconds),
    };
  }
  return out;
}
