// The TCP listener (RFC 7766): 2-byte length framing (§8), several and pipelined queries per connection answered
// as each completes (§6.2.1.1), an idle timeout (§6.2.3), caps on connections and on queries in flight (§6.2.2).
import * as net from 'node:net';
import type { ListenAddress } from './listen-address.js';
import { DEFAULT_CLOSE_GRACE_MS, MIN_QUERY_LEN, type ClientInfo, type QueryHandler } from './types.js';

export interface TcpOptions {
  /** Close a connection with no query in flight after this long without traffic (RFC 7766 §6.2.3). */
  idleTimeoutMs: number;
  /** Connections served at once; past it a new connection is closed at once. */
  maxConnections: number;
  /** Queries in flight per connection; past it reading pauses until answers go out. */
  maxInFlight?: number;
  /** false in a cluster worker: the primary listens once and hands out connections (node:cluster). */
  exclusive?: boolean;
}

export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000;
export const DEFAULT_TCP_MAX_IN_FLIGHT = 32;
const MAX_MESSAGE = 0xffff;

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

interface Connection {
  /** Stop reading; end the connection once answers in flight are written. */
  shutdown(): void;
}

function serveConnection(socket: net.Socket, handler: QueryHandler, idleMs: number, maxInFlight: number, onGone: () => void): Connection {
  const client: ClientInfo = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' };
  let pending: Buffer | null = null; // received bytes not yet framed into a query
  let inFlight = 0;
  let parsing = false;
  let readEnded = false; // the client half-closed: answer what it sent, then end
  let closing = false; // the listener is closing: read nothing more, answer what is in flight, then end
  let ended = false;
  let gone = false;
  let idleExpired = false;
  let awaitingDrain = false;

  const answered = (bytes: Buffer | null): void => {
    inFlight--;
    if (bytes !== null && bytes.length > 0 && bytes.length <= MAX_MESSAGE && !gone && !socket.destroyed) {
      const framed = Buffer.allocUnsafe(2 + bytes.length);
      framed.writeUInt16BE(bytes.length, 0);
      bytes.copy(framed, 2);
      if (!socket.write(framed)) awaitingDrain = true;
    }
    // The idle timer fired while we were busy; nothing written restarts it, so restart it here.
    if (inFlight === 0 && idleExpired && !gone) {
      idleExpired = false;
      socket.setTimeout(idleMs);
    }
    if (!parsing) parse();
  };

  const dispatch = (query: Buffer): void => {
    inFlight++;
    let out: ReturnType<QueryHandler>;
    try {
      out = handler(query, client);
    } catch {
      out = null;
    }
    if (out instanceof Promise) out.then(answered, () => answered(null));
    else answered(out);
  };

  /** Frames and dispatches what has arrived while under the in-flight cap, then sets the read flow. */
  function parse(): void {
    parsing = true;
    while (pending !== null && pending.length >= 2 && inFlight < maxInFlight && !closing && !gone) {
      const n = pending.readUInt16BE(0);
      if (n === 0) {
        // A zero-length message is no DNS message; the stream cannot be trusted after it.
        socket.destroy();
        break;
      }
      if (pending.length < 2 + n) break;
      let query: Buffer;
      if (pending.length === 2 + n) {
        query = pending.subarray(2);
        pending = null;
      } else {
        query = Buffer.from(pending.subarray(2, 2 + n)); // a copy, so one query does not pin a big chunk
        pending = pending.subarray(2 + n);
      }
      if (n >= MIN_QUERY_LEN) dispatch(query);
    }
    parsing = false;
    if (gone || socket.destroyed) return;
    if (inFlight === 0 && (closing || readEnded)) {
      if (!ended) {
        ended = true;
        socket.end();
      }
      return;
    }
    const wantRead = !closing && inFlight < maxInFlight && !awaitingDrain;
    if (wantRead === socket.isPaused()) {
      if (wantRead) socket.resume();
      else socket.pause();
    }
  }

  socket.setNoDelay(true);
  socket.setTimeout(idleMs);
  socket.on('timeout', () => {
    if (inFlight === 0) socket.destroy();
    else idleExpired = true;
  });
  socket.on('data', (chunk: Buffer) => {
    pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
    parse();
  });
  socket.on('end', () => {
    readEnded = true;
    parse();
  });
  socket.on('drain', () => {
    awaitingDrain = false;
    parse();
  });
  // Resets and the like: the connection is over, the process goes on. 'close' follows.
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    gone = true;
    pending = null;
    onGone();
  });

  return {
    shutdown: () => {
      closing = true;
      parse();
    },
  };
}

/**
 * Serves DNS over TCP on an already-listening server (e.g. one handed over by a supervisor). Create it with
 * `allowHalfOpen: true` so that clients that half-close after their queries still get answers.
 */
export function serveTcp(server: net.Server, handler: QueryHandler, o: TcpOptions): TcpListener {
  const maxInFlight = Math.max(1, o.maxInFlight ?? DEFAULT_TCP_MAX_IN_FLIGHT);
  const conns = new Map<net.Socket, Connection>();
  let closing = false;
  server.on('connection', (socket: net.Socket) => {
    if (closing || conns.size >= o.maxConnections) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    conns.set(socket, serveConnection(socket, handler, o.idleTimeoutMs, maxInFlight, () => conns.delete(socket)));
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
