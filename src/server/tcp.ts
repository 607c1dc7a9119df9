// The TCP listener (RFC 7766): accepts connections up to a cap (§6.2.2) and serves each with stream.ts (framing,
// pipelining, the in-flight cap, the idle timeout); close() lets answers in flight go out within a grace period.
import * as net from 'node:net';
import type { TcpTallies } from '../observe/tallies.js';
import type { ListenAddress } from './listen-address.js';
import type { ProxyGate } from './proxy-gate.js';
import { serveStream, type StreamConnection } from './stream.js';
import { DEFAULT_CLOSE_GRACE_MS, type ClientInfo, type QueryHandler } from './types.js';

export interface TcpOptions {
  /** Close a connection with no query in flight after this long without traffic (RFC 7766 §6.2.3). */
  idleTimeoutMs: number;
  /** Connections served at once; past it a new connection is closed at once. */
  maxConnections: number;
  /** Queries in flight per connection; past it reading pauses until answers go out. */
  maxInFlight?: number;
  /** false in a cluster worker: the primary listens once and hands out connections (node:cluster). */
  exclusive?: boolean;
  /** Where connections accepted, rejected and closed are counted, when given. */
  tallies?: TcpTallies;
  /** With proxy-protocol-from: reads the PROXY v2 header a connection starts with (its deadline: the idle timeout). */
  proxy?: ProxyGate;
}

export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000;
export const DEFAULT_TCP_MAX_IN_FLIGHT = 32;

export interface TcpListener {
  readonly server: net.Server;
  /** Connections open now. */
  connections(): number;
  /**
   * Stops accepting, stops reading queries, closes connections once their answers in flight are written, and
   * destroys whatever is left after `graceMs`. Resolves when every connection is gone.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves DNS over TCP on an already-listening server (e.g. one handed over by a supervisor). Create it with
 * `allowHalfOpen: true` so that clients that half-close after their queries still get answers.
 */
export function serveTcp(server: net.Server, handler: QueryHandler, o: TcpOptions): TcpListener {
  const streamOptions = { idleTimeoutMs: o.idleTimeoutMs, maxInFlight: o.maxInFlight ?? DEFAULT_TCP_MAX_IN_FLIGHT };
  const conns = new Map<net.Socket, StreamConnection>();
  let closing = false;
  server.on('connection', (socket: net.Socket) => {
    if (closing || conns.size >= o.maxConnections) {
      if (o.tallies) o.tallies.rejected++;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const peer: ClientInfo = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' };
    const serve = (client: ClientInfo): void => {
      if (!socket.destroyed) conns.set(socket, serveStream(socket, client, handler, streamOptions));
    };
    if (o.proxy) {
      // Until the header is read there is nothing to answer: shutting down just closes it.
      conns.set(socket, { shutdown: () => socket.destroy() });
      o.proxy.stream(socket, peer, o.idleTimeoutMs > 0 ? o.idleTimeoutMs : DEFAULT_TCP_IDLE_TIMEOUT_MS, serve);
    } else {
      serve(peer);
    }
    if (o.tallies) o.tallies.accepted++;
    socket.on('close', () => {
      conns.delete(socket);
      if (o.tallies) o.tallies.closed++;
    });
  });
  // After start-up (e.g. EMFILE on accept) nothing here may crash the process.
  server.on('error', () => undefined);

  let closed: Promise<void> | null = null;
  return {
    server,
    connections: () => conns.size,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const deadline = setTimeout(() => {
          for (const s of conns.keys()) s.destroy();
        }, graceMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        for (const c of conns.values()) c.shutdown();
      });
      return closed;
    },
  };
}

/** Listens on `at` and serves it. Rejects with the listen error (EADDRINUSE, EACCES, ...). */
export function bindTcp(at: ListenAddress, handler: QueryHandler, o: TcpOptions): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true });
    server.once('error', reject);
    server.listen({ host: at.address, port: at.port, exclusive: o.exclusive ?? true, ipv6Only: at.family === 6 }, () => {
      server.off('error', reject);
      resolve(serveTcp(server, handler, o));
    });
  });
}
