// The negative cache (RFC 2308): NXDOMAIN per name (any type) and NODATA per (name, type), each kept with the
// zone's SOA for min(SOA TTL, SOA MINIMUM) seconds, capped by max-negative-ttl (RFC 2308 §5). An authoritative
// denial that came without an SOA is kept for NO_SOA_NEGATIVE_TTL seconds only.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import { canonical } from '../wire/names.js';
import { matchesFlush, type FlushTarget } from './rrset-cache.js';
import { dataBytes, LRU_ENTRY_BYTES, stringBytes } from './sizes.js';
import type { RR } from '../wire/types.js';
import { remainingSeconds } from './ttl.js';
import type { Security } from '../resolver/step.js';
import type { ExtendedError } from '../wire/edns.js';

export type NegativeKind = 'nxdomain' | 'nodata';

export interface NegativeEntry {
  kind: NegativeKind;
  /** null: the denial came without an SOA (RFC 2308 §5 gives it no TTL; it is kept NO_SOA_NEGATIVE_TTL). */
  soa: RR | null;
  expiresAtMs: number;
  /** DNSSEC: the NSEC/NSEC3 records and RRSIGs proving the denial (served to DO=1 clients), and the verdict. */
  proof?: RR[];
  security?: Security;
  note?: ExtendedError;
}

/** A negative entry with the question it answers: NXDOMAIN for every type (type null) or NODATA for one. */
export interface NamedNegative extends NegativeEntry {
  name: string;
  type: string | null;
}

export interface NegativeHit {
  kind: NegativeKind;
  /** The SOA with its TTL counted down (null when the denial came without one). */
  soa: RR | null;
  proof?: RR[];
  security?: Security;
  note?: ExtendedError;
}

export interface NegativeDnssec {
  proof?: RR[];
  security?: Security;
  note?: ExtendedError;
  /** Seconds the denial may live at most (RRSIG expiry, bogus-ttl). */
  maxTtl?: number;
}

interface SoaData {
  minimum?: number;
}

/**
 * Seconds a denial without an SOA is kept (Unbound's NORR_TTL): long enough to absorb a burst of the same
 * question, short enough that a server which forgot its SOA is asked again soon.
 */
export const NO_SOA_NEGATIVE_TTL = 5;

/** RFC 2308 §5: the negative TTL is the lesser of the SOA's own TTL and its MINIMUM field. */
export function negativeTtl(soa: RR, cap: number): number {
  const minimum = (soa.data as SoaData).minimum ?? soa.ttl;
  return Math.max(0, Math.min(soa.ttl, minimum, cap));
}

export class NegativeCache {
  private readonly lru: LRUCache<string, NegativeEntry>;

  /** `maxBytes`: the memory bound (estimated, see sizes.ts); `maxEntries` caps the count as well. */
  constructor(
    maxEntries: number,
    private readonly maxNegativeTtl: number,
    private readonly clock: Clock,
    maxBytes?: number,
  ) {
    this.lru = new LRUCache({
      max: Math.max(16, maxEntries),
      ...(maxBytes ? { maxSize: maxBytes, sizeCalculation: (e: NegativeEntry, key: string) => LRU_ENTRY_BYTES + stringBytes(key) + 16 + 3 * 8 + 16 + 5 * 8 + (e.soa ? dataBytes(e.soa.data) : 8) + (e.proof ? e.proof.reduce((n, r) => n + 16 + 5 * 8 + dataBytes(r.data), 16) : 0) } : {}),
    });
  }

  /** Estimated bytes held (0 when the cache is bounded by entries only). */
  get bytes(): number {
    return this.lru.calculatedSize ?? 0;
  }

  private static key(name: string, type: string | null): string {
    return type === null ? `${canonical(name)}|NXDOMAIN` : `${canonical(name)}|${type}`;
  }

  get size(): number {
    return this.lru.size;
  }

  /**
   * Caches NXDOMAIN (type null: the name has no data of any type) or NODATA for one type. Returns the SOA as it
   * is to be served now, its TTL the negative TTL (capped): the one place that TTL is computed.
   */
  store(name: string, type: string | null, soa: RR | null, dnssec: NegativeDnssec = {}): RR | null {
    const ttl = Math.min(soa ? negativeTtl(soa, this.maxNegativeTtl) : Math.min(NO_SOA_NEGATIVE_TTL, this.maxNegativeTtl), dnssec.maxTtl ?? Infinity);
    const served = soa ? { ...soa, ttl } : null;
    if (ttl <= 0) return served;
    const key = NegativeCache.key(name, type);
    // A bogus denial never pushes out one that validated.
    const existing = this.lru.peek(key);
    if (dnssec.security === 'bogus' && existing?.security === 'secure' && existing.expiresAtMs > this.clock.nowMs()) return served;
    this.lru.set(key, {
      kind: type === null ? 'nxdomain' : 'nodata',
      soa: served,
      expiresAtMs: this.clock.nowMs() + ttl * 1000,
      ...(dnssec.proof && dnssec.proof.length > 0 ? { proof: dnssec.proof.map((r) => ({ ...r, ttl })) } : {}),
      ...(dnssec.security ? { security: dnssec.security } : {}),
      ...(dnssec.note ? { note: dnssec.note } : {}),
    });
    return served;
  }

  get(name: string, type: string): NegativeHit | null {
    const now = this.clock.nowMs();
    for (const key of [NegativeCache.key(name, null), NegativeCache.key(name, type)]) {
      const e = this.lru.get(key);
      if (e && e.expiresAtMs > now) {
        const ttl = remainingSeconds(e.expiresAtMs, now);
        return {
          kind: e.kind,
          soa: e.soa ? { ...e.soa, ttl } : null,
          ...(e.proof ? { proof: e.proof.map((r) => ({ ...r, ttl })) } : {}),
          ...(e.security ? { security: e.security } : {}),
          ...(e.note ? { note: e.note } : {}),
        };
      }
    }
    return null;
  }

  clear(): void {
    this.lru.clear();
  }

  /** Every entry with its question, least recently used first: the cache file. */
  *entries(): IterableIterator<NamedNegative> {
    for (const pair of this.lru.rentries()) {
      // lru-cache types rentries() loosely ((K | V)[]); it yields [key, value] like entries().
      const [key, e] = pair as [string, NegativeEntry];
      const bar = key.lastIndexOf('|');
      const kind = key.slice(bar + 1);
      yield { ...e, name: key.slice(0, bar), type: kind === 'NXDOMAIN' ? null : kind };
    }
  }

  /** Puts back an entry from the cache file; an expired one is skipped. */
  restore(e: NamedNegative): boolean {
    if (e.expiresAtMs <= this.clock.nowMs()) return false;
    this.lru.set(NegativeCache.key(e.name, e.type), { kind: e.type === null ? 'nxdomain' : 'nodata', soa: e.soa, expiresAtMs: e.expiresAtMs });
    return true;
  }

  /** Removes the negative entries `ctl flush` names (an NXDOMAIN counts for every type); returns how many. */
  flush(target: FlushTarget): number {
    let removed = 0;
    for (const key of [...this.lru.keys()]) {
      const bar = key.lastIndexOf('|');
      const kind = key.slice(bar + 1);
      if (!matchesFlush(target, key.slice(0, bar), kind === 'NXDOMAIN' ? null : kind)) continue;
      this.lru.delete(key);
      removed++;
    }
    return removed;
  }
}
