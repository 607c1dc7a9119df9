// Server selection as one interface: which servers of a zone to ask and in what order (choose), how to talk to
// each (profile, timeout), and what every try taught us (report). Everything reads and writes the one
// infrastructure cache through here, so iteration, later forward zones and a health table share the same state.
import type { InfraCache } from '../cache/infra-cache.js';
import type { ServerProfile, TryReport } from '../upstream/exchange.js';
import type { Random } from '../util/random.js';
import { serverKey, type ServerAddr } from '../wire/types.js';
import { MIN_HEDGE_MS, UNKNOWN_SERVER_HEDGE_MS } from './hedge.js';
import { orderCandidates, type Candidate } from './selection.js';

/**
 * A try's report (a timeout with the RTO the try was sent with, so concurrent timeouts back off once), or the
 * verdict on a reply that came back: lame for this zone and type (RFC 1034 §4.2.1).
 */
export type ServerEvent = Exclude<TryReport, { kind: 'timeout' }> | { kind: 'timeout'; tcp: boolean; rtoMs: number } | { kind: 'lame' };

export interface SelectorOptions {
  /** 0x20 on: servers get randomised case until one is seen not to echo it. */
  caseRandomisation: boolean;
  /** The longest one UDP try may wait, whatever the RTO says. */
  upstreamTimeoutMs: number;
}

/** TCP tries get this many times the UDP timeout: a connection handshake comes first. */
const TCP_TIMEOUT_FACTOR = 3;

export class ServerSelector {
  constructor(
    private readonly infra: InfraCache,
    private readonly random: Random,
    private readonly options: SelectorOptions,
  ) {}

  /** The order to try a zone's servers in, for one query type. */
  choose<T extends Candidate>(candidates: readonly T[], zone: string, qtype: string): T[] {
    return orderCandidates(candidates, zone, qtype, this.infra, this.random);
  }

  profile(addr: ServerAddr): ServerProfile {
    const key = serverKey(addr);
    return { edns: this.infra.useEdns(key), randomCase: this.options.caseRandomisation && this.infra.useCaseRandomisation(key) };
  }

  /** The server's current RTO (what a timeout report must quote back). */
  rtoMs(addr: ServerAddr): number {
    return this.infra.rto(serverKey(addr));
  }

  /** Held down: tried last, and once per zone query (infra-cache.ts). */
  isHeldDown(addr: ServerAddr): boolean {
    return this.infra.isHeldDown(serverKey(addr));
  }

  /** How long one try waits: the RTO, at most upstream-timeout-ms (the RTO itself may back off far beyond). */
  timeoutMs(addr: ServerAddr, tcp: boolean): number {
    const rto = Math.min(this.rtoMs(addr), this.options.upstreamTimeoutMs);
    return tcp ? rto * TCP_TIMEOUT_FACTOR : rto;
  }

  /**
   * How long to wait for the server before hedging (hedge.ts): its expected RTT, SRTT + 2·RTTVAR — later than most
   * replies, earlier than the RTO (SRTT + 4·RTTVAR) that ends the try; for a server never heard from, a constant.
   */
  hedgeAfterMs(addr: ServerAddr): number {
    const key = serverKey(addr);
    const srtt = this.infra.srtt(key);
    if (srtt === null) return UNKNOWN_SERVER_HEDGE_MS;
    return Math.max(MIN_HEDGE_MS, srtt + 2 * this.infra.rttVar(key));
  }

  report(addr: ServerAddr, zone: string, qtype: string, e: ServerEvent): void {
    const key = serverKey(addr);
    // Every try's report is one send; 'lame' is a verdict on a reply already counted.
    if (e.kind !== 'lame') this.infra.reportSent(key, zone);
    switch (e.kind) {
      case 'timeout':
        this.infra.reportTimeout(key, e.rtoMs);
        return;
      case 'neterror':
        return; // says nothing about the server's speed
      case 'case-mismatch':
        this.infra.setPreservesCase(key, false);
        return;
      case 'edns-rejected':
        this.infra.reportRtt(key, e.rttMs);
        this.infra.setEdns(key, false);
        return;
      case 'malformed':
      case 'truncated':
      case 'reply':
        this.infra.reportRtt(key, e.rttMs);
        return;
      case 'lame':
        this.infra.reportLame(key, zone, qtype);
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled server event ${String(never)}`);
      }
    }
  }
}
