// The dashboard's Overview figures, made from the same control requests `rootline top` and `ctl status` send
// (so they are summed over workers): totals, rates, answer-time percentiles, SERVFAIL reasons, upstream RTT and
// memory; plus an hour of queries/s and hit ratio, one point every HISTORY_STEP_MS, kept here in a bounded array.
import type { ServerHealth } from '../cache/infra-cache.js';
import type { CacheMemory, TopView } from '../control/answer.js';
import type { ControlReply, ControlRequest } from '../control/protocol.js';
import { percentileMs } from '../observe/live-view.js';

export type Control = (req: ControlRequest) => Promise<ControlReply>;

export const HISTORY_STEP_MS = 10_000;
/** An hour of points. */
export const HISTORY_POINTS = 360;
/** However many browsers watch, the figures are made at most once a second. */
const FRESH_MS = 1000;
const RTT_REFRESH_MS = 2000;

export interface HistoryPoint {
  /** Epoch ms at the end of the step. */
  t: number;
  qps: number;
  /** Share of queries answered from the answer cache in the step, 0..1; null: no queries. */
  hitRatio: number | null;
}

export interface Overview {
  atMs: number;
  uptimeSeconds: number;
  workers: number;
  addresses: string[];
  queries: number;
  answerCacheHits: number;
  /** Since start, 0..1 (null before the first query). */
  hitRatio: number | null;
  blocked: number;
  blockedShare: number | null;
  servfail: number;
  /** Since the previous figures (about a second ago); null for the first. */
  qps: number | null;
  /** Answer time since start, the upper bound of the histogram bucket (ms); null before the first answer. */
  p50Ms: number | null;
  p99Ms: number | null;
  servfailReasons: { key: string; count: number }[];
  /** Mean smoothed RTT of the servers asked, weighted by queries sent to each (ms). */
  upstreamRttMs: number | null;
  slowServers: { server: string; srttMs: number | null; sent: number }[];
  memory: { rssBytes: number; caches: CacheMemory };
  history: HistoryPoint[];
}

async function ask<T>(control: Control, req: ControlRequest): Promise<T> {
  const reply = await control(req);
  if (!reply.ok) throw new Error(reply.error);
  return reply.result as T;
}

/** Mean of the servers' smoothed RTT weighted by what each was sent. */
export function weightedRtt(servers: readonly ServerHealth[]): number | null {
  let sum = 0;
  let n = 0;
  for (const s of servers) {
    if (s.srttMs === null || s.sent === 0) continue;
    sum += s.srttMs * s.sent;
    n += s.sent;
  }
  return n === 0 ? null : Math.round((sum / n) * 10) / 10;
}

const finite = (v: number | null): number | null => (v === null ? null : v === Infinity ? 5000 : v);

export class OverviewSampler {
  private readonly history: HistoryPoint[] = [];
  private lastStep: { t: number; queries: number; hits: number } | null = null;
  private lastFigures: { t: number; queries: number } | null = null;
  private fresh: { atMs: number; value: Promise<Overview> } | null = null;
  private upstreamRttMs: number | null = null;
  private upstreamRttAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly control: Control,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Takes a history point every HISTORY_STEP_MS (one 'stats' and one 'servers' request). */
  start(): void {
    void this.step();
    this.timer = setInterval(() => void this.step(), HISTORY_STEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One history step: what happened since the last one. Public for tests (driven by hand there). */
  async step(): Promise<void> {
    try {
      const stats = await ask<{ queries: number; answerCacheHits: number }>(this.control, { cmd: 'stats' });
      await this.refreshRtt();
      const t = this.nowMs();
      if (this.lastStep) {
        const queries = stats.queries - this.lastStep.queries;
        const hits = stats.answerCacheHits - this.lastStep.hits;
        const seconds = Math.max(0.001, (t - this.lastStep.t) / 1000);
        this.history.push({ t, qps: Math.round((queries / seconds) * 10) / 10, hitRatio: queries > 0 ? Math.min(1, hits / queries) : null });
        if (this.history.length > HISTORY_POINTS) this.history.shift();
      }
      this.lastStep = { t, queries: stats.queries, hits: stats.answerCacheHits };
    } catch {
      // A worker that did not answer this time: the next step covers the gap.
    }
  }

  private async refreshRtt(): Promise<void> {
    this.upstreamRttMs = weightedRtt(await ask<ServerHealth[]>(this.control, { cmd: 'servers' }));
    this.upstreamRttAt = this.nowMs();
  }

  /** The figures now (made at most once a second, shared by every caller in that second). */
  current(): Promise<Overview> {
    const now = this.nowMs();
    if (this.fresh && now - this.fresh.atMs < FRESH_MS) return this.fresh.value;
    const value = this.make(now);
    this.fresh = { atMs: now, value };
    value.catch(() => (this.fresh = null));
    return value;
  }

  private async make(now: number): Promise<Overview> {
    // The servers table is the largest answer: asked at most every few seconds, not with every figure.
    const rtt = now - this.upstreamRttAt >= RTT_REFRESH_MS ? this.refreshRtt().catch(() => undefined) : undefined;
    const [top, status] = await Promise.all([ask<TopView>(this.control, { cmd: 'top' }), ask<{ memory: CacheMemory }>(this.control, { cmd: 'status' }), rtt]);
    const c = top.counters;
    const prev = this.lastFigures;
    this.lastFigures = { t: now, queries: c.queries };
    // Hits are answered in microseconds: all in the histogram's first bucket (as `rootline top` counts them).
    const latency = top.latency.map((n, b) => (b === 0 ? n + c.answerCacheHits : n));
    return {
      atMs: now,
      uptimeSeconds: top.uptimeSeconds,
      workers: top.workers,
      addresses: top.addresses,
      queries: c.queries,
      answerCacheHits: c.answerCacheHits,
      hitRatio: c.queries > 0 ? c.answerCacheHits / c.queries : null,
      blocked: c.blocked,
      blockedShare: c.queries > 0 ? c.blocked / c.queries : null,
      servfail: c.servfail,
      qps: prev && now > prev.t ? Math.round(((c.queries - prev.queries) / ((now - prev.t) / 1000)) * 10) / 10 : null,
      p50Ms: finite(percentileMs(latency, 0.5)),
      p99Ms: finite(percentileMs(latency, 0.99)),
      servfailReasons: top.topServfail,
      upstreamRttMs: this.upstreamRttMs,
      slowServers: top.slowServers.map((s) => ({ server: s.server, srttMs: s.srttMs, sent: s.sent })),
      memory: { rssBytes: process.memoryUsage.rss(), caches: status.memory },
      history: [...this.history],
    };
  }
}
