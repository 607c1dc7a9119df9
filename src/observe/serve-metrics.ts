// Wiring the metrics endpoint into `rootline serve`: a single process serves its own snapshot; a cluster
// primary serves the sum of its workers', asked for over the cluster IPC channel at each scrape ('metrics?' →
// 'metrics', next to the 'stats?' messages of cluster.ts, which ignores these).
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import type { Logger } from '../log.js';
import { metricsListenError } from '../config/metrics-address.js';
import type { MetricsHttp } from './metrics-http.js';
import { emptySnapshot, processMemory, startLagMonitor, sumSnapshots, takeSnapshot, type MetricsSnapshot, type SnapshotSource } from './snapshot.js';

type Ask = { type: 'metrics?'; id: number };
type Answer = { type: 'metrics'; id: number; snapshot: MetricsSnapshot };

/** How long the primary waits for each worker's snapshot; a worker that does not answer is left out. */
const WORKER_WAIT_MS = 500;

/** Starts the endpoint when metrics-listen is set; `source` gives the figures at each scrape. */
export async function startMetrics(config: Config, logger: Logger, source: () => Promise<MetricsSnapshot>): Promise<MetricsHttp | null> {
  if (!config.metricsListen) return null;
  const error = metricsListenError(config.metricsListen, config.metricsAllowRemote);
  if (error) throw new RootlineError(ErrorCode.CONFIG_VALUE, error);
  startLagMonitor();
  // prom-client (and what it pulls in: ~45 ms and ~13 MB) is loaded only here: not with metrics off, not in workers.
  const { startMetricsHttp } = await import('./metrics-http.js');
  const http = await startMetricsHttp(config.metricsListen, source);
  logger.info({ event: 'metrics_listening', address: http.address, url: `http://${http.address}/metrics` }, 'metrics_listening');
  return http;
}

/** This process's own figures (a server without workers). */
export function localSource(server: SnapshotSource): () => Promise<MetricsSnapshot> {
  return () => Promise.resolve(takeSnapshot(server));
}

/** In a cluster worker, when metrics are on: answer the primary's 'metrics?' with this worker's snapshot. */
export function answerMetricsRequests(config: Config, server: SnapshotSource): void {
  if (!config.metricsListen) return;
  startLagMonitor();
  process.on('message', (m: Partial<Ask> | null) => {
    if (m?.type === 'metrics?') process.send?.({ type: 'metrics', id: m.id ?? 0, snapshot: takeSnapshot(server) } satisfies Answer);
  });
}

/** A dead worker's counts without its gauges (entries, open connections, memory, lag): they ended with it. */
function countsOnly(s: MetricsSnapshot): MetricsSnapshot {
  const empty = emptySnapshot();
  return {
    ...s,
    processes: 0,
    answerCache: { ...s.answerCache, entries: 0, bytes: 0 },
    rrsetCache: { ...s.rrsetCache, entries: 0, bytes: 0 },
    negativeCache: empty.negativeCache,
    tcp: { ...s.tcp, open: 0 },
    memory: empty.memory,
    eventLoopLag: empty.eventLoopLag,
  };
}

/**
 * In the primary: every live worker's snapshot, summed, with the primary's own memory added. The counts a
 * worker had at its last scrape stay in the sums after it dies (and is restarted from zero), so the summed
 * counters never go down, which Prometheus would read as a reset.
 */
export function workersSource(): () => Promise<MetricsSnapshot> {
  let nextId = 1;
  const last = new Map<number, MetricsSnapshot>();
  let retired: MetricsSnapshot[] = [];
  cluster.on('exit', (w) => {
    const s = last.get(w.id);
    last.delete(w.id);
    if (s) retired = [sumSnapshots([...retired, countsOnly(s)])].map(countsOnly);
  });
  return async () => {
    const id = nextId++;
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
    const parts = await Promise.all(
      live.map(
        (w) =>
          new Promise<MetricsSnapshot | null>((resolve) => {
            const done = (s: MetricsSnapshot | null): void => {
              clearTimeout(timer);
              w.off('message', onMessage);
              if (s) last.set(w.id, s);
              resolve(s);
            };
            const timer = setTimeout(() => done(null), WORKER_WAIT_MS);
            const onMessage = (m: Partial<Answer> | null): void => {
              if (m?.type === 'metrics' && m.id === id && m.snapshot) done(m.snapshot);
            };
            w.on('message', onMessage);
            w.send({ type: 'metrics?', id } satisfies Ask);
          }),
      ),
    );
    const answered = parts.filter((p): p is MetricsSnapshot => p !== null);
    // A live worker too busy to answer in time counts with what it had last time, gauges left out.
    const late = live.flatMap((w, i) => (parts[i] === null && last.has(w.id) ? [countsOnly(last.get(w.id)!)] : []));
    const sum = sumSnapshots([...answered, ...late, ...retired]);
    const own = processMemory();
    for (const k of Object.keys(own) as (keyof typeof own)[]) sum.memory[k] += own[k];
    return sum;
  };
}
