// The metrics endpoint (node:http): GET /metrics in the Prometheus text format, GET /stats the same figures as
// JSON. Every request reads a fresh snapshot; nothing here runs per DNS query.
import * as http from 'node:http';
import { ErrorCode, RootlineError } from '../errors.js';
import { metricsBindAddress } from '../config/metrics-address.js';
import { PrometheusView, statsJson } from './prometheus.js';
import type { MetricsSnapshot } from './snapshot.js';

export interface MetricsHttp {
  /** Where it listens, "ADDR:PORT" or "[V6]:PORT" (the actual port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}

export function metricsHandler(source: () => Promise<MetricsSnapshot>): http.RequestListener {
  const view = new PrometheusView(source);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      reply(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', false);
      return;
    }
    const work =
      path === '/metrics'
        ? view.render().then((text) => reply(res, 200, view.contentType, text, head))
        : path === '/stats'
          ? source().then((s) => reply(res, 200, 'application/json; charset=utf-8', JSON.stringify(statsJson(s), null, 2) + '\n', head))
          : Promise.resolve(reply(res, 404, 'text/plain; charset=utf-8', 'rootline: try /metrics (Prometheus) or /stats (JSON)\n', head));
    work.catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, 'text/plain; charset=utf-8', `rootline: ${(e as Error).message}\n`, head);
      else res.destroy();
    });
  };
}

/** Listens on `listen` (already checked by metricsListenError). Rejects with a RootlineError naming the key. */
export function startMetricsHttp(listen: string, source: () => Promise<MetricsSnapshot>): Promise<MetricsHttp> {
  const at = metricsBindAddress(listen);
  const server = http.createServer(metricsHandler(source));
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is already in use: pick another port' : e.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : e.message;
      reject(new RootlineError(e.code === 'EADDRINUSE' ? ErrorCode.PORT_IN_USE : ErrorCode.LISTEN_FAILED, `metrics-listen ${listen} ${why}`));
    });
    server.listen({ host: at.address, port: at.port }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      const a = server.address() as { address: string; port: number; family: string };
      resolve({
        address: a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
