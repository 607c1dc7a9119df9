// The real Transport: each UDP query from its own socket on an OS-chosen random port, connected to the server so
// that only its replies reach us (RFC 5452 §9.2); TCP with 2-byte framing (RFC 7766 §8) when asked.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServerAddr } from '../wire/types.js';
import type { Random } from '../util/random.js';
import { matchReply } from './match.js';
import { UdpPool } from './udp-pool.js';
import type { QueryOptions, Transport, TransportResult } from './transport.js';

function udpQuery(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(to.address) ? 'udp6' : 'udp4');
    const started = performance.now();
    let done = false;
    const finish = (r: TransportResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    let caseMismatch = false;
    const timer = setTimeout(() => finish(caseMismatch ? { kind: 'case-mismatch' } : { kind: 'timeout' }), o.timeoutMs);
    socket.on('error', (e) => finish({ kind: 'neterror', error: (e as NodeJS.ErrnoException).code ?? e.message }));
    // Anything that does not match is ignored: a spoofer must not be able to end the wait early. A reply that
    // differs only in letter case is reported only if no exact one comes before the timeout.
    socket.on('message', (msg) => {
      const m = matchReply(wire, msg, o.exactCase ?? false);
      if (m === 'match') finish({ kind: 'reply', bytes: msg, rttMs: performance.now() - started });
      else if (m === 'case-mismatch') caseMismatch = true;
    });
    socket.connect(to.port, to.address, () => {
      if (done) return;
      socket.send(wire, (err) => {
        if (err) finish({ kind: 'neterror', error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  });
}

function tcpQuery(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: to.address, port: to.port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (r: TransportResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), o.timeoutMs);
    socket.on('error', (e) => finish({ kind: 'neterror', error: (e as NodeJS.ErrnoException).code ?? e.message }));
    socket.on('close', () => finish({ kind: 'neterror', error: 'connection closed' }));
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(wire.length);
      socket.write(Buffer.concat([len, wire]));
    });
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const n = buffered.readUInt16BE(0);
        if (buffered.length < 2 + n) return;
        const msg = buffered.subarray(2, 2 + n);
        buffered = buffered.subarray(2 + n);
        const m = matchReply(wire, msg, o.exactCase ?? false);
        if (m === 'match') {
          finish({ kind: 'reply', bytes: Buffer.from(msg), rttMs: performance.now() - started });
          return;
        }
        if (m === 'case-mismatch') {
          finish({ kind: 'case-mismatch' });
          return;
        }
      }
    });
  });
}

export class NetworkTransport implements Transport {
  private readonly pool: UdpPool | null;

  /** With a Random, UDP goes through a pool of sockets on random ports; without, one socket per query. */
  constructor(random?: Random) {
    this.pool = random ? new UdpPool(random) : null;
  }

  query(to: ServerAddr, wire: Buffer, options: QueryOptions): Promise<TransportResult> {
    if (options.tcp) return tcpQuery(to, wire, options);
    return this.pool ? this.pool.query(to, wire, options) : udpQuery(to, wire, options);
  }

  close(): void {
    this.pool?.closeAll();
  }
}
