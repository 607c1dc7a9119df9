// Multi-core serving with node:cluster: the primary forks N workers that serve the same UDP and TCP sockets
// (the primary owns the handles and shares them), restarts a worker that dies, and sums their counters.
import cluster, { type Worker } from 'node:cluster';
import { mergeReplies } from './control/merge.js';
import type { ControlReply, ControlRequest } from './control/protocol.js';
import type { Logger } from './log.js';

/** Worker → primary: start-up, and the answer to one control request. */
export type WorkerMessage =
  /** Where the worker serves: the same sockets as every other worker (the primary owns them). */
  | { type: 'ready'; addresses: string[]; tls: string[]; https: string[]; http: string[] }
  | { type: 'fatal'; message: string }
  | { type: 'control-reply'; id: number; reply: ControlReply };
/** Primary → worker: one control request (the same ones `rootline ctl` sends). */
export type PrimaryMessage = { type: 'control'; id: number; req: ControlRequest };

const RESTART_DELAY_MS = 1000;
/** A worker that takes longer than this to answer a control request counts as not answering (reload reads files). */
const CONTROL_WAIT_MS = 5000;

export interface Primary {
  /** Asks every live worker and merges their answers: the one control channel every worker answers. */
  control(req: ControlRequest): Promise<ControlReply>;
  stop(): Promise<void>;
}

export function startPrimary(workers: number, logger: Logger, onFatal: (message: string) => void): Primary {
  let stopping = false;
  let ready = 0;
  let requests = 0;
  const fork = (): Worker => {
    const w = cluster.fork({ ROOTLINE_WORKER: '1' });
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'fatal') onFatal(m.message);
      // The same fields as a single process's line (main.ts), with the worker count.
      if (m.type === 'ready' && ++ready === workers) logger.info({ event: 'listening', addresses: m.addresses, tls: m.tls, https: m.https, http: m.http, workers }, 'listening');
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
    control: async (req) => {
      const connected = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      // A trace resolves: one worker does it (through its own cache), not every one.
      const live = req.cmd === 'trace' ? connected.slice(0, 1) : connected;
      const id = ++requests;
      const replies = live.map(
        (w) =>
          new Promise<ControlReply | null>((resolve) => {
            const timer = setTimeout(() => finish(null), CONTROL_WAIT_MS);
            const onMessage = (m: WorkerMessage): void => {
              if (m.type === 'control-reply' && m.id === id) finish(m.reply);
            };
            function finish(r: ControlReply | null): void {
              clearTimeout(timer);
              w.off('message', onMessage);
              resolve(r);
            }
            w.on('message', onMessage);
            w.send({ type: 'control', id, req } satisfies PrimaryMessage);
          }),
      );
      const answered = (await Promise.all(replies)).filter((r): r is ControlReply => r !== null);
      return mergeReplies(req, answered, live.length);
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

/** In a worker: answer the primary's control requests; start-up errors and readiness go through reportToPrimary. */
export function attachWorker(answer: (req: ControlRequest) => Promise<ControlReply>): void {
  process.on('message', (m: PrimaryMessage) => {
    if (m.type !== 'control') return;
    void answer(m.req).then((reply) => process.send?.({ type: 'control-reply', id: m.id, reply } satisfies WorkerMessage));
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
