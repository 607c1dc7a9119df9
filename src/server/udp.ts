// The UDP listener: one socket per address; each datagram goes to the handler, the reply back to the sender.
import * as dgram from 'node:dgram';
import type { ListenAddress } from './listen-address.js';
import type { QueryHandler } from './types.js';

export interface UdpListener {
  socket: dgram.Socket;
  close(): Promise<void>;
}

/** `exclusive: false` in a cluster worker: the primary binds once and shares the socket. */
export function bindUdp(at: ListenAddress, handler: QueryHandler, exclusive = true): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: at.family === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    const onStartError = (e: Error): void => {
      socket.close();
      reject(e);
    };
    socket.once('error', onStartError);
    socket.on('message', (msg, rinfo) => {
      const client = { address: rinfo.address, port: rinfo.port, transport: 'udp' as const };
      let out: ReturnType<QueryHandler>;
      try {
        out = handler(msg, client);
      } catch {
        return;
      }
      if (out instanceof Promise) {
        out.then(
          (bytes) => {
            if (bytes) socket.send(bytes, rinfo.port, rinfo.address);
          },
          () => undefined,
        );
      } else if (out) {
        socket.send(out, rinfo.port, rinfo.address);
      }
    });
    socket.bind({ address: at.address, port: at.port, exclusive }, () => {
      socket.off('error', onStartError);
      // After start, a send error (e.g. client gone) must never crash the process.
      socket.on('error', () => undefined);
      resolve({
        socket,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
