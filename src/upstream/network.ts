// The real Transport: UDP through the pool of random-port sockets (udp-pool.ts, RFC 5452 §9.2); TCP with 2-byte
// framing (RFC 7766 §8), one connection per query, when asked; TLS over reused connections (dot-pool.ts), with
// plain DNS when TLS fails for a zone that allows it (tls-fallback.ts).
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { frameMessage, StreamFramer } from '../wire/framing.js';
import type { ServerAddr } from '../wire/types.js';
import type { Random } from '../util/random.js';
import { DotPool } from './dot-pool.js';
import { matchReply } from './match.js';
import { TlsWithFallback, type FallbackEvent } from './tls-fallback.js';
import { UdpPool } from './udp-pool.js';
import type { QueryOptions, Transport, TransportResult } from './transport.js';

function tcpQuery(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: to.address, port: to.port });
    const framer = new StreamFramer();
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
    socket.on('connect', () => socket.write(frameMessage(wire)));
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      for (let msg = framer.next(); msg !== null; msg = framer.next()) {
        const m = matchReply(wire, msg, o.exactCase ?? false);
        if (m === 'match') {
          finish({ kind: 'reply', bytes: msg, rttMs: performance.now() - started });
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

/** What the transport tells the rest of the server: a TLS server given up on for a while, a query sent in the clear. */
export interface TransportEvents {
  onTlsFallback?(e: FallbackEvent): void;
  onPlainFallbackQuery?(): void;
}

export class NetworkTransport implements Transport {
  private readonly pool: UdpPool;
  private readonly dot = new DotPool();
  private readonly fallback: TlsWithFallback;

  constructor(random: Random, events: TransportEvents = {}) {
    this.pool = new UdpPool(random);
    this.fallback = new TlsWithFallback(
      (to, wire, o) => this.dot.query(to, wire, { ...o, tls: o.tls! }),
      (to, t) => this.dot.established(to, t),
      (to, wire, o) => (o.tcp ? tcpQuery(to, wire, o) : this.pool.query(to, wire, o)),
      { onFallback: (e) => events.onTlsFallback?.(e), onPlain: () => events.onPlainFallbackQuery?.() },
    );
  }

  query(to: ServerAddr, wire: Buffer, options: QueryOptions): Promise<TransportResult> {
    const tls = options.tls;
    if (tls?.plain) return this.fallback.query(to, wire, { ...options, tls: { ...tls, plain: tls.plain } });
    if (tls) return this.dot.query(to, wire, { ...options, tls });
    if (options.tcp) return tcpQuery(to, wire, options);
    return this.pool.query(to, wire, options);
  }

  close(): void {
    this.pool.closeAll();
    this.dot.close();
  }
}
