// The DNS over TLS listener (RFC 7858): TLS 1.2/1.3 with ALPN "dot" (its id in IANA's TLS ALPN registry), then
// the same stream serving as TCP (stream.ts: RFC 7766 framing, pipelining, answers out of order,
// the in-flight cap and the idle timeout), with responses padded when the client pads (RFC 8467 §4.1).
// Session resumption (RFC 7858 §3.4): Node's session tickets, on by default, keys made per listener process.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ListenAddress } from './listen-address.js';
import { withPadding } from './padded-handler.js';
import type { ServerCertificates } from './certificates.js';
import { serveStream, type StreamConnection } from './stream.js';
import { DEFAULT_CLOSE_GRACE_MS, type ClientInfo, type QueryHandler } from './types.js';

export const DEFAULT_DOT_PORT = 853;
/** RFC 7858 predates ALPN for DNS; clients such as kdig and Android offer the registered id "dot". */
export const DOT_ALPN = 'dot';

export interface TlsListenOptions {
  idleTimeoutMs: number;
  /** Connections at once (handshaking ones count); past it a new connection is closed at once. */
  maxConnections: number;
  maxInFlight: number;
  /** false in a cluster worker (the primary listens once). */
  exclusive: boolean;
}

export interface EncryptedListener {
  /** A tls.Server for DoT and DoH (certificates swap on it), an http.Server for plaintext DoH. */
  readonly server: net.Server;
  close(graceMs?: number): Promise<void>;
}

/**
 * Stops listening, lets what is open finish (`drain` tells it to: shutdown, GOAWAY), and destroys what is still
 * open after `graceMs`.
 */
export function closeGracefully(server: net.Server, sockets: ReadonlySet<net.Socket>, graceMs: number, drain: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    drain();
    const deadline = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, graceMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
  });
}

/** A close() that runs once; later calls get the same promise. */
export function closeOnce(close: (graceMs: number) => Promise<void>): (graceMs?: number) => Promise<void> {
  let closed: Promise<void> | null = null;
  return (graceMs = DEFAULT_CLOSE_GRACE_MS) => (closed ??= close(graceMs));
}

/** Closes at once past `max`; tracks the rest until they close. */
export function capConnections(server: net.Server, max: number, open: Set<net.Socket>, closing: () => boolean): void {
  server.on('connection', (socket: net.Socket) => {
    if (closing() || open.size >= max) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
}

/** Listens on `at` and resolves once bound; rejects with the listen error. */
export function listenOn(server: net.Server, at: ListenAddress, exclusive: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.address, port: at.port, exclusive, ipv6Only: at.family === 6 }, () => {
      server.off('error', reject);
      // After start-up (EMFILE on accept, a failed handshake) nothing here may crash the process.
      server.on('error', () => undefined);
      resolve();
    });
  });
}

export async function bindTls(at: ListenAddress, handler: QueryHandler, certificates: ServerCertificates, o: TlsListenOptions): Promise<EncryptedListener> {
  const server = tls.createServer({
    ...certificates.serverOptions(),
    ALPNProtocols: [DOT_ALPN],
    // A handshake is traffic too: a client that never finishes one is idle.
    handshakeTimeout: o.idleTimeoutMs,
    allowHalfOpen: true,
  });
  const padded = withPadding(handler);
  const sockets = new Set<net.Socket>();
  const streams = new Map<tls.TLSSocket, StreamConnection>();
  let closing = false;
  capConnections(server, o.maxConnections, sockets, () => closing);
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.setNoDelay(true);
    const client: ClientInfo = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tls' };
    streams.set(socket, serveStream(socket, client, padded, { idleTimeoutMs: o.idleTimeoutMs, maxInFlight: o.maxInFlight }));
    socket.on('close', () => streams.delete(socket));
  });
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  await listenOn(server, at, o.exclusive);

  return {
    server,
    close: closeOnce((graceMs) =>
      closeGracefully(server, sockets, graceMs, () => {
        closing = true;
        for (const c of streams.values()) c.shutdown();
      }),
    ),
  };
}
