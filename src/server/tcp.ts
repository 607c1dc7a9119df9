// The TCP listener (RFC 7766): 2-byte length framing, several and pipelined queries per connection answered as
// each completes, an idle timeout (§6.2.3), a cap on connections and on queries in flight per connection.
import * as net from 'node:net';
import type { ListenAddress } from './listen-address.js';
import type { QueryHandler } from './types.js';

export interface TcpOptions {
  idleTimeoutMs: number;
  maxConnections: number;
  /** Queries in flight per connection before reading pauses. */
  maxInFlight?: number;
  /** false in a cluster worker: the primary listens once and hands out connections. */
  exclusive?: boolean;
}

export interface TcpListener {
  server: net.Server;
  connections(): number;
  close(): Promise<void>;
}

function serveConnection(socket: net.Socket, handler: QueryHandler, o: TcpOptions, onClose: () => void): void {
  const maxInFlight = o.maxInFlight ?? 32;
  let buffered: Buffer = Buffer.alloc(0);
  let inFlight = 0;
  let ended = false;
  const client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' as const };
  socket.setNoDelay(true);
  socket.setTimeout(o.idleTimeoutMs);
  socket.on('timeout', () => {
    if (inFlight === 0) socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    ended = true;
    onClose();
  });
  const send = (bytes: Buffer | null): void => {
    inFlight--;
    if (socket.isPaused() && inFlight < maxInFlight) socket.resume();
    if (!bytes || ended || socket.destroyed) return;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(bytes.length);
    socket.write(Buffer.concat([len, bytes]));
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const n = buffered.readUInt16BE(0);
      if (n === 0) {
        socket.destroy(); // nothing sensible can follow a zero-length frame
        return;
      }
      if (buffered.length < 2 + n) break;
      const msg = Buffer.from(buffered.subarray(2, 2 + n));
      buffered = buffered.subarray(2 + n);
      inFlight++;
      if (inFlight >= maxInFlight) socket.pause();
      try {
        Promise.resolve(handler(msg, client)).then(send, () => send(null));
      } catch {
        send(null);
      }
    }
  });
}

export function bindTcp(at: ListenAddress, handler: QueryHandler, o: TcpOptions): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      if (sockets.size >= o.maxConnections) {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      serveConnection(socket, handler, o, () => sockets.delete(socket));
    });
    server.once('error', reject);
    server.listen({ host: at.address, port: at.port, exclusive: o.exclusive ?? true, ipv6Only: at.family === 6 }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve({
        server,
        connections: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Give answers in flight a moment, then close what is left.
            setTimeout(() => {
              for (const s of sockets) s.destroy();
            }, 200).unref();
          }),
      });
    });
  });
}
