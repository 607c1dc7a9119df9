// The DNS over HTTPS listener (RFC 8484): HTTP/2 (ALPN h2) and HTTP/1.1 over TLS on one port, GET with ?dns=
// (§4.1) and POST of application/dns-message (§4.1), the answer with Cache-Control: max-age of its smallest TTL
// (§5.1). Each refusal is a status with a short text body. The DNS ID may be 0 (§4.1): it is echoed like any other.
// Also plaintext HTTP/1.1 for a reverse proxy in front (http-listen): the same requests, the client taken from
// X-Forwarded-For when the peer is a trusted proxy (forwarded-for.ts).
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type * as net from 'node:net';
import type { Readable } from 'node:stream';
import type { Cidr } from '../util/cidr.js';
import { messageRecords, smallestTtl } from '../wire/layout.js';
import { peekQuery } from '../wire/question.js';
import type { ServerCertificates } from './certificates.js';
import { clientAddress } from './forwarded-for.js';
import type { ListenAddress } from './listen-address.js';
import { withPadding } from './padded-handler.js';
import { capConnections, closeGracefully, closeOnce, listenOn, type EncryptedListener } from './tls.js';
import type { ClientInfo, QueryHandler } from './types.js';

export const DEFAULT_DOH_PORT = 443;
/** http-listen without a port: plain HTTP's. */
export const DEFAULT_HTTP_PORT = 80;
export const DEFAULT_DOH_PATH = '/dns-query';
export const DNS_MESSAGE = 'application/dns-message';
/** The largest DNS message (RFC 1035 §4.2.2's two-byte length); a larger body cannot be one. */
export const MAX_BODY = 65_535;
/** RFC 4648 §5 alphabet; RFC 8484 §6: no padding. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface HttpsListenOptions {
  /** The URI path served, e.g. /dns-query; every other path is 404. */
  path: string;
  idleTimeoutMs: number;
  maxConnections: number;
  exclusive: boolean;
}

export interface HttpListenOptions extends HttpsListenOptions {
  /** Peers whose X-Forwarded-For names the client (the reverse proxy); everyone else is the client. */
  trustedProxies: readonly Cidr[];
}

/** What this file reads of a request, over HTTP/2 (compatibility API) or HTTP/1.1. */
type Request = Readable & { method?: string | undefined; url?: string | undefined; headers: http.IncomingHttpHeaders; socket: net.Socket };
type Response = http2.Http2ServerResponse | http.ServerResponse;
/** Who sent a request: the TCP peer, or whom a trusted proxy says it speaks for. */
type ClientOf = (req: Request) => ClientInfo;

function refuse(res: Response, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), ...headers });
  res.end(body);
}

/** The body, or 'too-large' as soon as it passes MAX_BODY. */
function readBody(req: Request): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The query carried by the request, or the refusal already sent (null). */
async function readQuery(req: Request, res: Response): Promise<Buffer | null> {
  if (req.method === 'GET') {
    const dns = new URL(req.url ?? '/', 'https://doh').searchParams.get('dns');
    if (dns === null || !BASE64URL.test(dns)) {
      refuse(res, 400, 'the dns parameter must be a DNS message in base64url without padding (RFC 8484 §4.1)');
      return null;
    }
    return Buffer.from(dns, 'base64url');
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== DNS_MESSAGE) {
      refuse(res, 415, `the body must be ${DNS_MESSAGE}`);
      return null;
    }
    const body = Number(req.headers['content-length']) > MAX_BODY ? 'too-large' : await readBody(req);
    if (body === 'too-large') {
      refuse(res, 413, `a DNS message has at most ${MAX_BODY} bytes`);
      return null;
    }
    return body;
  }
  refuse(res, 405, 'use GET or POST', { allow: 'GET, POST' });
  return null;
}

const peerOf: ClientOf = (req) => ({ address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0, transport: 'https' });

/** Serves one request: the query through `handler`, the answer as application/dns-message. */
async function serveRequest(req: Request, res: Response, handler: QueryHandler, path: string, clientOf: ClientOf): Promise<void> {
  if (new URL(req.url ?? '/', 'https://doh').pathname !== path) return refuse(res, 404, `not found: DNS queries go to ${path}`);
  const query = await readQuery(req, res);
  if (query === null) return;
  // A message the pipeline would answer FORMERR (or not at all) is an HTTP error here (RFC 8484 §4.2.1).
  if (peekQuery(query) === null || messageRecords(query) === null) return refuse(res, 400, 'not a DNS query message');
  const answer = await handler(query, clientOf(req));
  // Dropped (ACL drop, rate limit, overload): HTTP must say something; the client may try again later.
  if (answer === null) return refuse(res, 503, 'no answer for this query');
  const headers = {
    'content-type': DNS_MESSAGE,
    'content-length': String(answer.length),
    'cache-control': `max-age=${smallestTtl(answer) ?? 0}`,
  };
  if (res instanceof http2.Http2ServerResponse) {
    // The answer and END_STREAM in one DATA frame: res.end(bytes) sends the bytes, then an empty DATA frame to end
    // the stream, which some clients (dnsperf 2.10) take for a second message and abort on.
    res.stream.respond({ ':status': 200, ...headers });
    res.stream.end(answer);
    return;
  }
  res.writeHead(200, headers);
  res.end(answer);
}

/** The request handler both listeners install; a failure inside is a 500, never a crash. */
function onRequest(handler: QueryHandler, path: string, clientOf: ClientOf): (req: Request, res: Response) => void {
  return (req, res) => {
    serveRequest(req, res, handler, path, clientOf).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.end();
    });
  };
}

export async function bindHttps(at: ListenAddress, handler: QueryHandler, certificates: ServerCertificates, o: HttpsListenOptions): Promise<EncryptedListener> {
  const server = http2.createSecureServer({
    ...certificates.serverOptions(),
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
  });
  server.setTimeout(o.idleTimeoutMs);
  const padded = withPadding(handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  let closing = false;
  capConnections(server, o.maxConnections, sockets, () => closing);
  server.on('session', (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => s.destroy());
  });
  // Small answers must not wait for Nagle's algorithm and the peer's delayed ACK (~40 ms each).
  server.on('secureConnection', (socket: net.Socket) => socket.setNoDelay(true));
  server.on('request', onRequest(padded, o.path, peerOf));
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  await listenOn(server, at, o.exclusive);

  return {
    server,
    close: closeOnce((graceMs) =>
      closeGracefully(server, sockets, graceMs, () => {
        closing = true;
        // GOAWAY (RFC 9113 §6.8): streams open now finish, no new ones.
        for (const s of sessions) s.close();
      }),
    ),
  };
}

/**
 * Plaintext HTTP/1.1 DoH for a reverse proxy that terminates TLS in front of rootline (nginx, Caddy, Traefik):
 * never for clients directly, which is why the config needs trusted-proxies with it.
 */
export async function bindHttp(at: ListenAddress, handler: QueryHandler, o: HttpListenOptions): Promise<EncryptedListener> {
  const server = http.createServer({ keepAliveTimeout: o.idleTimeoutMs, noDelay: true });
  server.setTimeout(o.idleTimeoutMs);
  const padded = withPadding(handler);
  const sockets = new Set<net.Socket>();
  let closing = false;
  capConnections(server, o.maxConnections, sockets, () => closing);
  const clientOf: ClientOf = (req) => {
    const peer = peerOf(req);
    const address = clientAddress(peer.address, req.headers['x-forwarded-for'], o.trustedProxies);
    // A relayed client's port is unknown (X-Forwarded-For has none we could trust): 0.
    return address === peer.address ? peer : { address, port: 0, transport: 'https' };
  };
  server.on('request', onRequest(padded, o.path, clientOf));
  server.on('clientError', (_e, socket: net.Socket) => socket.destroy());
  await listenOn(server, at, o.exclusive);

  return {
    server,
    close: closeOnce((graceMs) =>
      closeGracefully(server, sockets, graceMs, () => {
        closing = true;
        // Requests in progress finish; kept-alive connections with none are closed now.
        server.closeIdleConnections();
      }),
    ),
  };
}
