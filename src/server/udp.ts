// The UDP listener: each datagram on one socket goes to the handler, the reply (if any) back to the sender.
// No logging and no allocation beyond the ClientInfo on the hot path; nothing a client sends can throw out of here.
import * as dgram from 'node:dgram';
import type { ListenAddress } from './listen-address.js';
import type { ProxyGate } from './proxy-gate.js';
import { DEFAULT_CLOSE_GRACE_MS, MIN_QUERY_LEN, type ClientInfo, type QueryHandler } from './types.js';

export interface UdpListener {
  readonly socket: dgram.Socket;
  /** Queries handed to the handler whose answer is not back yet. */
  inFlight(): number;
  /** Stops answering new datagrams, waits up to `graceMs` for answers in flight, then closes the socket. */
  close(graceMs?: number): Promise<void>;
}

export interface UdpBindOptions {
  /** false in a cluster worker, so that the primary binds once and shares the socket (node:cluster). */
  exclusive?: boolean;
  /** With proxy-protocol-from: strips PROXY v2 headers and names the real client, or drops the datagram. */
  proxy?: ProxyGate;
}

/** Serves queries on an already-bound socket (e.g. one handed over by a supervisor). Takes over its 'error' events. */
export function serveUdp(socket: dgram.Socket, handler: QueryHandler, proxy?: ProxyGate): UdpListener {
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | null = null;

  const send = (bytes: Buffer | null, port: number, address: string): void => {
    if (bytes === null) return;
    try {
      // Without a callback, send errors (client gone, EMSGSIZE) are dropped by node; a closed socket throws.
      socket.send(bytes, port, address);
    } catch {
      // the socket closed under us: nothing to do
    }
  };
  const settle = (bytes: Buffer | null, port: number, address: string): void => {
    inFlight--;
    if (inFlight !== 0 || drained === null) return send(bytes, port, address);
    // The last answer while closing: close once it is out (send() starts on a later tick).
    const done = drained;
    if (bytes === null) return done();
    try {
      socket.send(bytes, port, address, () => done());
    } catch {
      done();
    }
  };

  socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    // Shorter than a header: no ID to answer to, so not worth a handler call (the pipeline would drop it too).
    if (closing || msg.length < MIN_QUERY_LEN) return;
    let client: ClientInfo = { address: rinfo.address, port: rinfo.port, transport: 'udp' };
    if (proxy) {
      const relayed = proxy.datagram(msg, client);
      if (relayed === null || relayed.query.length < MIN_QUERY_LEN) return;
      ({ query: msg, client } = relayed);
    }
    let out: ReturnType<QueryHandler>;
    try {
      out = handler(msg, client);
    } catch {
      return;
    }
    if (out === null) return;
    if (!(out instanceof Promise)) {
      send(out, rinfo.port, rinfo.address);
      return;
    }
    inFlight++;
    out.then(
      (bytes) => settle(bytes, rinfo.port, rinfo.address),
      () => settle(null, 0, ''),
    );
  });
  // After start-up nothing on this socket may crash the process.
  socket.on('error', () => undefined);

  let closed: Promise<void> | null = null;
  return {
    socket,
    inFlight: () => inFlight,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const closeSocket = (): void => {
          drained = null;
          try {
            socket.close(() => resolve());
          } catch {
            resolve(); // already closed
          }
        };
        if (inFlight === 0) return closeSocket();
        const timer = setTimeout(closeSocket, graceMs);
        drained = () => {
          clearTimeout(timer);
          closeSocket();
        };
      });
      return closed;
    },
  };
}

/** Creates a UDP socket on `at` (reuseAddr off, IPv6-only for IPv6) and serves it. Rejects with the bind error. */
export function bindUdp(at: ListenAddress, handler: QueryHandler, o: UdpBindOptions = {}): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: at.family === 6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: at.family === 6 });
    const onStartError = (e: Error): void => {
      try {
        socket.close();
      } catch {
        // never bound
      }
      reject(e);
    };
    socket.once('error', onStartError);
    socket.bind({ address: at.address, port: at.port, exclusive: o.exclusive ?? true }, () => {
      socket.off('error', onStartError);
      resolve(serveUdp(socket, handler, o.proxy));
    });
  });
}
