// tls-fallback: plain for a forward zone over TLS: when TLS to a server fails (refused, reset, a failed handshake,
// a certificate or pin that does not check out, or a timeout before any TLS connection was up), the query goes as
// plain DNS to the same address on port 53, UDP first and TCP after a truncated reply (or TCP only when the zone
// says tcp). That is RFC 8310 §5's opportunistic profile: private against a passive listener while TLS works,
// and no protection against anyone on the path who blocks port 853 or shows another certificate. A failed server
// is asked in the clear for PLAIN_HOLD_MS before TLS is tried again, so every query does not pay a failed handshake.
import { performance } from 'node:perf_hooks';
import { serverKey, type ServerAddr } from '../wire/types.js';
import type { QueryOptions, TlsTarget, TransportResult } from './transport.js';

/** How long a server whose TLS failed is asked in the clear before TLS is tried again. */
export const PLAIN_HOLD_MS = 60_000;
/** The TC bit (RFC 1035 §4.1.1), in the third byte of the header. */
const TC = 0x02;

type Send = (to: ServerAddr, wire: Buffer, o: QueryOptions) => Promise<TransportResult>;

export interface FallbackEvent {
  /** The TLS server ("ADDR:PORT") given up on for PLAIN_HOLD_MS. */
  server: string;
  reason: string;
}

export class TlsWithFallback {
  private readonly plainUntil = new Map<string, number>();

  /**
   * `tls` sends over the DoT pool; `established` says whether that pool holds a checked connection to the server;
   * `plain` sends plain DNS (UDP or TCP as asked). `onFallback` hears each time a server goes plain for a while,
   * `onPlain` each query sent in the clear for want of TLS.
   */
  constructor(
    private readonly tls: Send,
    private readonly established: (to: ServerAddr, t: TlsTarget) => boolean,
    private readonly plain: Send,
    private readonly events: { onFallback?(e: FallbackEvent): void; onPlain?(): void } = {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  async query(to: ServerAddr, wire: Buffer, o: QueryOptions & { tls: TlsTarget & { plain: { port: number; tcp: boolean } } }): Promise<TransportResult> {
    // Per server and TLS settings: a zone whose pin fails does not send another zone's queries in the clear.
    const key = `${serverKey(to)} ${o.tls.name} ${o.tls.pin} ${o.tls.ca}`;
    const started = this.now();
    const until = this.plainUntil.get(key);
    if (until === undefined || until <= started) {
      if (until !== undefined) this.plainUntil.delete(key);
      const r = await this.tls(to, wire, o);
      const failed = r.kind === 'neterror' ? r.error : r.kind === 'timeout' && !this.established(to, o.tls) ? 'no TLS connection within the timeout' : null;
      if (failed === null) return r;
      this.plainUntil.set(key, this.now() + PLAIN_HOLD_MS);
      this.events.onFallback?.({ server: serverKey(to), reason: failed });
      // A timeout has spent this try's time: the next try (and query) goes in the clear at once.
      if (r.kind === 'timeout') return r;
    }
    const left = o.timeoutMs - (this.now() - started);
    if (left <= 0) return { kind: 'timeout' };
    return this.sendPlain({ address: to.address, port: o.tls.plain.port }, wire, o, left);
  }

  /** UDP, then TCP when the reply is truncated (RFC 7766 §5); TCP only when the zone asks for it. */
  private async sendPlain(to: ServerAddr, wire: Buffer, o: QueryOptions & { tls: TlsTarget & { plain: { tcp: boolean } } }, timeoutMs: number): Promise<TransportResult> {
    this.events.onPlain?.();
    const base = { timeoutMs, ...(o.exactCase !== undefined ? { exactCase: o.exactCase } : {}) };
    const started = this.now();
    if (!o.tls.plain.tcp) {
      const r = await this.plain(to, wire, { ...base, tcp: false });
      if (r.kind !== 'reply' || r.bytes.length < 3 || (r.bytes[2]! & TC) === 0) return r;
    }
    const left = timeoutMs - (this.now() - started);
    if (left <= 0) return { kind: 'timeout' };
    return this.plain(to, wire, { ...base, timeoutMs: left, tcp: true });
  }
}
