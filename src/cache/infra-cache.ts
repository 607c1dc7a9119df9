// The infrastructure cache: what we have learnt about each upstream server address — smoothed RTT and its
// variance (RFC 6298 style), timeouts with exponential back-off and hold-down, EDNS support, case preservation (0x20), and
// zones it is lame for. Entries live for infra-ttl and the cache is bounded (LRU).
import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import { isInZone } from '../wire/names.js';

export interface InfraLimits {
  /** RTO for a server we know nothing about, ms. */
  unknownRtoMs: number;
  minRtoMs: number;
  maxRtoMs: number;
  /** How long learnt facts are kept, ms. */
  ttlMs: number;
  /** How long a lame server is held down for a zone, ms. */
  lameHoldMs: number;
}

/** Unbound's values (util/rtt.h): 376 ms without data, 50 ms floor, 120 s cap for a server that keeps timing out. */
export const DEFAULT_INFRA_LIMITS: InfraLimits = {
  unknownRtoMs: 376,
  minRtoMs: 50,
  maxRtoMs: 120_000,
  ttlMs: 900_000,
  lameHoldMs: 900_000,
};

/** Timeouts in a row, with no reply in between, before a server is held down (at 5% loss each way: ~1e-5). */
export const HOLD_DOWN_AFTER_TIMEOUTS = 5;

interface ServerInfo {
  srttMs: number | null;
  rttVarMs: number;
  /** Current retransmission timeout; doubled on each timeout (RFC 6298 §5.5). */
  rtoMs: number;
  consecutiveTimeouts: number;
  /** true: answers EDNS; false: answers FORMERR/NOTIMP to it; null: unknown. */
  edns: boolean | null;
  /** false once the server was seen not to echo the question's letter case. */
  preservesCase: boolean | null;
  /** Hold-down end per `zone|qtype` the server was lame for. */
  lameUntil: Map<string, number>;
  updatedMs: number;
  /** For `ctl servers`: tries sent, timeouts in all, and the zones it was asked for (the first few). */
  sent: number;
  timeoutsTotal: number;
  zones: Set<string>;
}

/** Zones remembered per server for `ctl servers` (a shared host serves thousands; the table names a few). */
const ZONES_SHOWN = 8;

/** One server as `ctl servers` shows it. */
export interface ServerHealth {
  server: string;
  zones: string[];
  srttMs: number | null;
  rttVarMs: number;
  rtoMs: number;
  sent: number;
  timeouts: number;
  timeoutsInARow: number;
  heldDown: boolean;
  /** `zone|qtype` → ms of hold-down left. */
  lame: Record<string, number>;
  edns: boolean | null;
  preservesCase: boolean | null;
}

export class InfraCache {
  private readonly lru: LRUCache<string, ServerInfo>;

  constructor(
    private readonly clock: Clock,
    readonly limits: InfraLimits = DEFAULT_INFRA_LIMITS,
    maxEntries = 10_000,
  ) {
    this.lru = new LRUCache({ max: maxEntries });
  }

  private info(key: string): ServerInfo {
    const now = this.clock.nowMs();
    let i = this.lru.get(key);
    if (!i || now - i.updatedMs > this.limits.ttlMs) {
      i = {
        srttMs: null,
        rttVarMs: 0,
        rtoMs: this.limits.unknownRtoMs,
        consecutiveTimeouts: 0,
        edns: null,
        preservesCase: null,
        lameUntil: new Map(),
        updatedMs: now,
        sent: 0,
        timeoutsTotal: 0,
        zones: new Set(),
      };
      this.lru.set(key, i);
    }
    // Every new fact about the server (RTT, timeout, lameness, EDNS, 0x20) keeps the entry for another TTL.
    i.updatedMs = now;
    return i;
  }

  private peek(key: string): ServerInfo | null {
    const i = this.lru.peek(key);
    if (!i || this.clock.nowMs() - i.updatedMs > this.limits.ttlMs) return null;
    return i;
  }

  /** RFC 6298 §2: SRTT/RTTVAR update, RTO = SRTT + 4·RTTVAR within bounds. */
  reportRtt(key: string, rttMs: number): void {
    const i = this.info(key);
    if (i.srttMs === null) {
      i.srttMs = rttMs;
      i.rttVarMs = rttMs / 2;
    } else {
      i.rttVarMs = 0.75 * i.rttVarMs + 0.25 * Math.abs(i.srttMs - rttMs);
      i.srttMs = 0.875 * i.srttMs + 0.125 * rttMs;
    }
    i.rtoMs = Math.min(this.limits.maxRtoMs, Math.max(this.limits.minRtoMs, i.srttMs + 4 * i.rttVarMs));
    i.consecutiveTimeouts = 0;
    i.updatedMs = this.clock.nowMs();
  }

  /**
   * RFC 6298 §5.5: back off — double the RTO after a timeout of a try sent with `triedRtoMs` (the RTO read when
   * it was sent). As in Unbound's rtt_lost, a try counts only when it was sent with the current RTO: if a reply
   * lowered the RTO since, or another try sent with the same RTO already backed off, this loss is not news — so
   * queries timing out together back off once, and one lost packet is one timeout, not forty.
   */
  reportTimeout(key: string, triedRtoMs: number): void {
    const i = this.info(key);
    i.timeoutsTotal++;
    if (i.rtoMs !== triedRtoMs) return;
    i.consecutiveTimeouts++;
    i.rtoMs = Math.min(this.limits.maxRtoMs, triedRtoMs * 2);
    i.updatedMs = this.clock.nowMs();
  }

  /** One try sent to the server for a zone (counted for `ctl servers`). */
  reportSent(key: string, zone: string): void {
    const i = this.info(key);
    i.sent++;
    if (i.zones.size < ZONES_SHOWN) i.zones.add(zone);
  }

  /** Every server known now, for `ctl servers`: most tries first. */
  health(): ServerHealth[] {
    const now = this.clock.nowMs();
    const out: ServerHealth[] = [];
    for (const [server, i] of this.lru.entries()) {
      if (now - i.updatedMs > this.limits.ttlMs) continue;
      const lame: Record<string, number> = {};
      for (const [k, until] of i.lameUntil) if (until > now) lame[k] = until - now;
      out.push({
        server,
        zones: [...i.zones],
        srttMs: i.srttMs,
        rttVarMs: i.rttVarMs,
        rtoMs: i.rtoMs,
        sent: i.sent,
        timeouts: i.timeoutsTotal,
        timeoutsInARow: i.consecutiveTimeouts,
        heldDown: i.consecutiveTimeouts >= HOLD_DOWN_AFTER_TIMEOUTS,
        lame,
        edns: i.edns,
        preservesCase: i.preservesCase,
      });
    }
    return out.sort((a, b) => b.sent - a.sent);
  }

  /** Lame for one zone and query type: a server may answer A for a zone and be lame for its AAAA or DS. */
  reportLame(key: string, zone: string, qtype: string): void {
    const i = this.info(key);
    i.lameUntil.set(`${zone}|${qtype}`, this.clock.nowMs() + this.limits.lameHoldMs);
  }

  setEdns(key: string, works: boolean): void {
    this.info(key).edns = works;
  }

  setPreservesCase(key: string, preserves: boolean): void {
    this.info(key).preservesCase = preserves;
  }

  rto(key: string): number {
    return this.peek(key)?.rtoMs ?? this.limits.unknownRtoMs;
  }

  srtt(key: string): number | null {
    return this.peek(key)?.srttMs ?? null;
  }

  /** RTT variance (RFC 6298 RTTVAR), 0 when nothing is known. */
  rttVar(key: string): number {
    return this.peek(key)?.rttVarMs ?? 0;
  }

  /** Timeouts in a row with no reply in between (a reply resets the count). */
  timeouts(key: string): number {
    return this.peek(key)?.consecutiveTimeouts ?? 0;
  }

  /**
   * Held down: so many timeouts in a row with no reply in between that the server is tried last and only once
   * per zone query, as a probe. One loss is not enough; any reply (reportRtt) lifts it.
   */
  isHeldDown(key: string): boolean {
    return this.timeouts(key) >= HOLD_DOWN_AFTER_TIMEOUTS;
  }

  isLame(key: string, zone: string, qtype: string): boolean {
    const until = this.peek(key)?.lameUntil.get(`${zone}|${qtype}`);
    return until !== undefined && until > this.clock.nowMs();
  }

  /** Whether to send EDNS: yes unless the server was seen to reject it. */
  useEdns(key: string): boolean {
    return this.peek(key)?.edns !== false;
  }

  /** Whether to randomise case: yes unless the server was seen not to preserve it. */
  useCaseRandomisation(key: string): boolean {
    return this.peek(key)?.preservesCase !== false;
  }

  get size(): number {
    return this.lru.size;
  }

  clear(): void {
    this.lru.clear();
  }

  /** `ctl flush --zone`: forget the lame marks servers earned for the zone and below; returns how many. */
  forgetZone(zone: string): number {
    let removed = 0;
    for (const info of this.lru.values()) {
      for (const key of [...info.lameUntil.keys()]) {
        if (!isInZone(key.slice(0, key.lastIndexOf('|')), zone)) continue;
        info.lameUntil.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
