// The dashboard's HTTP listener (node:http): the static pages shipped in web/, the JSON API (api.ts), live
// Overview figures as Server-Sent Events, and /metrics when metrics are on. Every response carries a strict
// Content-Security-Policy; there is no CORS, and errors are short JSON without stack traces.
import { readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webListenError } from '../config/web-address.js';
import { ErrorCode, RootlineError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MetricsSnapshot } from '../observe/snapshot.js';
import { parseHostPort } from '../util/host-port.js';
import { WebApi, type ApiRequest, type ApiResponse } from './api.js';
import { OverviewSampler, type Control } from './overview.js';

/** The static files: web/ at the package root (beside dist/ when installed, beside src/ in the repo). */
export const STATIC_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const MAX_BODY_BYTES = 16 * 1024;
/** Live Overview streams open at once; more get 503 (each costs a timer and a socket). */
const MAX_EVENT_STREAMS = 32;
const EVENT_INTERVAL_MS = 1000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface WebOptions {
  listen: string;
  passwordHash: string;
  token: string;
  control: Control;
  logger: Logger;
  /** The /metrics figures, when metrics-listen is set (the same source as that endpoint). */
  metrics?: () => Promise<MetricsSnapshot>;
  staticDir?: string;
}

export interface WebServer {
  /** "ADDR:PORT" (the actual port when 0 was asked for). */
  address: string;
  api: WebApi;
  close(): Promise<void>;
}

/** The files of web/, read once at start: nothing outside this list is ever served (no path from the URL is opened). */
function loadStatic(dir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/${name}`, { type, body: readFileSync(join(dir, name)) });
  }
  const index = files.get('/index.html');
  if (!index) throw new RootlineError(ErrorCode.LISTEN_FAILED, `the dashboard's files are missing (${dir}index.html): reinstall rootline`);
  files.set('/', index);
  return files;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, r: ApiResponse): void {
  send(res, r.status, 'application/json; charset=utf-8', JSON.stringify(r.json), r.headers);
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Answered at once; the rest is read and dropped so the client sees the 413 rather than a reset.
        req.off('data', onData);
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function apiRequest(req: http.IncomingMessage, url: URL, body: string): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body, remote: req.socket.remoteAddress ?? '' };
}

export async function startWebServer(o: WebOptions): Promise<WebServer> {
  const error = webListenError(o.listen, o.passwordHash, o.token);
  if (error) throw new RootlineError(ErrorCode.CONFIG_VALUE, error);
  const files = loadStatic(o.staticDir ?? STATIC_DIR);
  const overview = new OverviewSampler(o.control);
  const api = new WebApi({ control: o.control, overview, passwordHash: o.passwordHash, token: o.token, logger: o.logger });
  const streams = new Set<http.ServerResponse>();
  // Metrics rendering (prom-client) is loaded only when metrics are on, as serve-metrics.ts does.
  const prometheus = o.metrics ? new (await import('../observe/prometheus.js')).PrometheusView(o.metrics) : null;

  const events = (req: http.IncomingMessage, res: http.ServerResponse, ar: ApiRequest): void => {
    const hostError = api.hostError(ar);
    if (hostError) return sendJson(res, { status: 403, json: { error: hostError } });
    if (!api.caller(ar)) return sendJson(res, { status: 401, json: { error: 'log in first' } });
    if (streams.size >= MAX_EVENT_STREAMS) return sendJson(res, { status: 503, json: { error: 'too many live views open' } });
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    streams.add(res);
    let busy = false;
    const push = (): void => {
      if (busy) return; // a slow worker: skip a beat rather than pile up requests
      busy = true;
      overview.current().then(
        (v) => res.write(`data: ${JSON.stringify(v)}\n\n`),
        () => res.write(`event: unavailable\ndata: {}\n\n`),
      ).finally(() => (busy = false));
    };
    push();
    const timer = setInterval(push, EVENT_INTERVAL_MS);
    req.on('close', () => {
      clearInterval(timer);
      streams.delete(res);
    });
  };

  const metrics = (res: http.ServerResponse, ar: ApiRequest): void => {
    const hostError = api.hostError(ar);
    if (hostError) return sendJson(res, { status: 403, json: { error: hostError } });
    if (api.passwordRequired && !api.caller(ar)) return sendJson(res, { status: 401, json: { error: 'send the web-token as a bearer token' } });
    prometheus!.render().then(
      (text) => send(res, 200, prometheus!.contentType, text),
      () => sendJson(res, { status: 503, json: { error: 'metrics unavailable' } }),
    );
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    const fail = (e: unknown): void => {
      o.logger.error({ event: 'web_error', path, err: e }, 'web_error');
      if (!res.headersSent) sendJson(res, { status: 500, json: { error: 'internal error' } });
      else res.destroy();
    };
    try {
      if (path.startsWith('/api/')) {
        if (path === '/api/events' && req.method === 'GET') return events(req, res, apiRequest(req, url, ''));
        void readBody(req).then(async (body) => {
          if (body === null) return sendJson(res, { status: 413, json: { error: `the body is over ${MAX_BODY_BYTES} bytes` }, headers: { Connection: 'close' } });
          sendJson(res, await api.handle(apiRequest(req, url, body)));
        }).catch(fail);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'GET only' }), { Allow: 'GET, HEAD' });
      if (path === '/metrics' && prometheus) return metrics(res, apiRequest(req, url, ''));
      const file = files.get(path);
      if (!file) return send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: 'not found' }));
      // The pages themselves hold no data: they may be cached briefly (a new version is a restart away).
      send(res, 200, file.type, file.body, { 'Cache-Control': 'no-cache' });
    } catch (e) {
      fail(e);
    }
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const at = parseHostPort(o.listen, -1) as { address: string; port: number };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is already in use: pick another port' : e.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : e.message;
      reject(new RootlineError(e.code === 'EADDRINUSE' ? ErrorCode.PORT_IN_USE : ErrorCode.LISTEN_FAILED, `web-listen ${o.listen} ${why}`));
    });
    server.listen({ host: at.address, port: at.port }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve();
    });
  });
  overview.start();
  const a = server.address() as { address: string; port: number; family: string };
  const address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  o.logger.info({ event: 'web_listening', address, url: `http://${address}/`, password: o.passwordHash !== '' }, 'web_listening');
  return {
    address,
    api,
    close: () =>
      new Promise<void>((done) => {
        overview.stop();
        for (const s of streams) s.end();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
