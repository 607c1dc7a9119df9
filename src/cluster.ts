// Multi-core serving with node:cluster: the primary forks N workers that serve the same UDP and TCP sockets
// (the primary owns the handles and shares them), restarts a worker that dies, and sums their counters.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './log.js';
import { addCounters, newCounters, type Counters } from './metrics.js';

export type WorkerMessage =
  | { type: 'ready'; addresses: string[] }
  | { type: 'fatal'; message: string }
  | { type: 'stats'; counters: Counters };
export type PrimaryMessage = { type: 'stats?' } | { type: 'reload' };

const RESTART_DELAY_MS = 1000;
const STATS_WAIT_MS = 500;

export interface Primary {
  /** Sums the counters of every live worker. */
  stats(): Promise<Counters>;
  /** Asks every live worker to reload what can be reloaded (blocklists). */
  reload(): void;
  stop(): Promise<void>;
}

export function startPrimary(workers: number, logger: Logger, onFatal: (message: string) => void): Primary {
  let stopping = false;
  let ready = 0;
  const fork = (): Worker => {
    const w = cluster.fork({ ROOTLINE_WORKER: '1' });
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'fatal') onFatal(m.message);
      if (m.type === 'ready' && ++ready === workers) logger.info({ event: 'listening', addresses: m.addresses, workers }, 'listening');
    });
    return w;
  };
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    logger.error({ event: 'worker_exit', pid: w.process.pid, code, signal }, 'worker_exit');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });
  return {
    reload: () => {
      for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send({ type: 'reload' } satisfies PrimaryMessage);
    },
    stats: async () => {
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      const replies = live.map(
        (w) =>
          new Promise<Counters>((resolve) => {
            const timer = setTimeout(() => resolve(newCounters()), STATS_WAIT_MS);
            const onMessage = (m: WorkerMessage): void => {
              if (m.type !== 'stats') return;
              clearTimeout(timer);
              w.off('message', onMessage);
              resolve(m.counters);
            };
            w.on('message', onMessage);
            w.send({ type: 'stats?' } satisfies PrimaryMessage);
          }),
      );
      return (await Promise.all(replies)).reduce(addCounters, newCounters());
    },
    stop: async () => {
      stopping = true;
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      await Promise.all(
        live.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
              setTimeout(() => {
                w.process.kill('SIGKILL');
                resolve();
              }, 3000).unref();
            }),
        ),
      );
    },
  };
}

/** In a worker: answer the primary's stats and reload requests; report start-up errors and readiness. */
export function attachWorker(counters: () => Counters, reload: () => void): void {
  process.on('message', (m: PrimaryMessage) => {
    if (m.type === 'stats?') process.send?.({ type: 'stats', counters: counters() } satisfies WorkerMessage);
    if (m.type === 'reload') reload();
  });
}

export function reportToPrimary(m: WorkerMessage): void {
  process.send?.(m);
}

export function isWorker(): boolean {
  return cluster.isWorker;
}

export function resolveWorkerCount(workers: number | 'auto', cores: number): number {
  return workers === 'auto' ? Math.max(1, cores) : workers;
}
