// The RRset cache: positive data keyed by (name, type, class), held for its TTL, bounded by entry count (LRU),
// with trust ranks deciding what may overwrite what. It is the source of truth for answers and delegations.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import { canonical, isInZone } from '../wire/names.js';
import type { CacheTallies } from '../observe/tallies.js';
import { dataBytes, LRU_ENTRY_BYTES, stringBytes } from './sizes.js';
import type { RR } from '../wire/types.js';
import type { RankValue } from './rank.js';
import type { Security } from '../resolver/step.js';
import type { ExtendedError } from '../wire/edns.js';
import { clampTtl, remainingSeconds, type TtlBounds } from './ttl.js';

export interface CachedRRset {
  name: string;
  type: string;
  class: string;
  /** The records as stored (their ttl fields are the clamped original TTL). */
  records: RR[];
  rank: RankValue;
  storedAtMs: number;
  expiresAtMs: number;
  /** How many answers this RRset has been served in: drives round-robin rotation. */
  turns: number;
  /** DNSSEC: the RRSIGs that came with the records (served to DO=1 clients), and what validation said. */
  sigs?: RR[];
  security?: Security;
  /** EDE 1/2/27 explaining why the data is insecure (rare: kept only when there is one). */
  note?: ExtendedError;
}

export interface RRsetHit {
  entry: CachedRRset;
  /** Seconds left. */
  ttl: number;
  /** Copies of the records with the remaining TTL. */
  records: RR[];
  /** Copies of the RRSIGs with the remaining TTL (none when the data came unsigned). */
  sigs?: RR[];
}

export interface StoreOptions {
  /** The new data may replace a fresh entry but not live longer than it would have. */
  notBeyondCached?: boolean;
  sigs?: RR[];
  security?: Security;
  note?: ExtendedError;
  /** Seconds the entry may live at most, whatever the records say (RRSIG expiry, bogus-ttl: RFC 4035 §5.3.3). */
  maxTtl?: number;
}

export function rrsetKey(name: string, type: string, klass = 'IN'): string {
  // join() builds one flat string; `+` would build a rope that V8 flattens into a second copy when the key is
  // hashed, and the cache would keep both (about 32 bytes per entry).
  return [canonical(name), type, klass].join('|');
}

function rrsetBytes(key: string, e: CachedRRset): number {
  const records = (list: readonly RR[]): number => list.reduce((n, r) => n + 16 + 5 * 8 + dataBytes(r.data), 0);
  return LRU_ENTRY_BYTES + stringBytes(key) + 16 + 8 * 8 + stringBytes(e.name) + 16 + records(e.records) + (e.sigs ? 16 + records(e.sigs) : 0);
}

export class RRsetCache {
  private readonly lru: LRUCache<string, CachedRRset>;
  /** get() lookups (expired or of too low a rank: a miss) and entries pushed out by the size bound. */
  readonly tallies: CacheTallies = { hits: 0, misses: 0, evictions: 0 };

  /** `maxBytes`: the memory bound (estimated, see sizes.ts); `maxEntries` caps the count as well. */
  constructor(
    maxEntries: number,
    private readonly bounds: TtlBounds,
    private readonly clock: Clock,
    maxBytes?: number,
  ) {
    this.lru = new LRUCache({
      max: Math.max(16, maxEntries),
      ...(maxBytes ? { maxSize: maxBytes, sizeCalculation: (e: CachedRRset, key: string) => rrsetBytes(key, e) } : {}),
      dispose: (_v, _k, reason) => void (reason === 'evict' && this.tallies.evictions++),
    });
  }

  /** Estimated bytes held (0 when the cache is bounded by entries only). */
  get bytes(): number {
    return this.lru.calculatedSize ?? 0;
  }

  get size(): number {
    return this.lru.size;
  }

  /**
   * Stores an RRset (all records share owner, type, class) unless a fresh entry of higher rank exists
   * (RFC 2181 §5.4.1). The RRset TTL is the smallest record TTL (RFC 2181 §5.2). Returns whether it was stored.
   */
  store(records: readonly RR[], rank: RankValue, options: StoreOptions = {}): boolean {
    const first = records[0];
    if (!first) return false;
    const key = rrsetKey(first.name, first.type, first.class);
    const now = this.clock.nowMs();
    const existing = this.lru.peek(key);
    const fresh = existing !== undefined && existing.expiresAtMs > now;
    if (fresh && existing.rank > rank) return false;
    // A bogus copy never pushes out one that validated (a forger could otherwise flush good data).
    if (fresh && existing.security === 'secure' && options.security === 'bogus') return false;
    const bounded = Math.min(clampTtl(Math.min(...records.map((r) => r.ttl)), this.bounds), options.maxTtl ?? Infinity);
    const ttl = options.notBeyondCached && fresh ? Math.min(bounded, remainingSeconds(existing.expiresAtMs, now)) : bounded;
    const name = canonical(first.name);
    this.lru.set(key, {
      name,
      type: first.type,
      class: first.class,
      records: records.map((r) => ({ name, type: r.type, class: r.class, ttl, data: r.data })),
      rank,
      storedAtMs: now,
      expiresAtMs: now + ttl * 1000,
      turns: existing ? existing.turns : 0,
      ...(options.sigs && options.sigs.length > 0 ? { sigs: options.sigs.map((r) => ({ ...r, name, ttl })) } : {}),
      ...(options.security ? { security: options.security } : {}),
      ...(options.note ? { note: options.note } : {}),
    });
    return true;
  }

  /**
   * The records of one RRset with the TTL the cache gives it (the smallest, clamped to min-ttl/max-ttl): what a
   * fresh answer shows, so it says the same as the cached copy will.
   */
  bounded(records: readonly RR[]): RR[] {
    if (records.length === 0) return [];
    const ttl = clampTtl(Math.min(...records.map((r) => r.ttl)), this.bounds);
    return records.map((r) => ({ ...r, ttl }));
  }

  /** A fresh RRset of at least `minRank`, with TTLs counted down; null when absent or expired. */
  get(name: string, type: string, minRank: RankValue, klass = 'IN'): RRsetHit | null {
    const entry = this.lru.get(rrsetKey(name, type, klass));
    const now = this.clock.nowMs();
    if (!entry || entry.rank < minRank || entry.expiresAtMs <= now) {
      this.tallies.misses++;
      return null;
    }
    this.tallies.hits++;
    const ttl = remainingSeconds(entry.expiresAtMs, now);
    return { entry, ttl, records: entry.records.map((r) => ({ ...r, ttl })), ...(entry.sigs ? { sigs: entry.sigs.map((r) => ({ ...r, ttl })) } : {}) };
  }

  /**
   * RFC 8767: an RRset that expired less than `windowMs` ago (or is still fresh), served with `staleTtl`.
   */
  getStale(name: string, type: string, minRank: RankValue, windowMs: number, staleTtl: number, klass = 'IN'): RRsetHit | null {
    const entry = this.lru.peek(rrsetKey(name, type, klass));
    if (!entry || entry.rank < minRank) return null;
    const now = this.clock.nowMs();
    if (entry.expiresAtMs > now) return this.get(name, type, minRank, klass);
    if (now - entry.expiresAtMs > windowMs) return null;
    return { entry, ttl: staleTtl, records: entry.records.map((r) => ({ ...r, ttl: staleTtl })) };
  }

  /** Fraction of the original TTL still left (0 when expired). */
  static remainingFraction(hit: RRsetHit): number {
    const total = (hit.entry.expiresAtMs - hit.entry.storedAtMs) / 1000;
    return total <= 0 ? 0 : hit.ttl / total;
  }

  delete(name: string, type: string, klass = 'IN'): void {
    this.lru.delete(rrsetKey(name, type, klass));
  }

  clear(): void {
    this.lru.clear();
  }

  /** Every entry, least recently used first (so restoring them in order keeps the LRU order): the cache file. */
  *entries(): IterableIterator<CachedRRset> {
    // lru-cache types rentries() loosely ((K | V)[]); it yields [key, value] like entries().
    for (const pair of this.lru.rentries()) yield (pair as [string, CachedRRset])[1];
  }

  /** Puts back an entry from the cache file as it was (rank and expiry kept); an expired one is skipped. */
  restore(e: Omit<CachedRRset, 'turns'>): boolean {
    if (e.expiresAtMs <= this.clock.nowMs() || e.records.length === 0) return false;
    this.lru.set(rrsetKey(e.name, e.type, e.class), { ...e, turns: 0 });
    return true;
  }

  /**
   * Removes what `ctl flush` names: one name (every type, or one), or a zone and every name below it (its
   * delegations and glue too). Returns how many RRsets went.
   */
  flush(target: FlushTarget): number {
    let removed = 0;
    for (const [key, e] of [...this.lru.entries()]) {
      if (!matchesFlush(target, e.name, e.type)) continue;
      this.lru.delete(key);
      removed++;
    }
    return removed;
  }
}

/** A name (all types or one) or a whole subtree, as `ctl flush` names them. */
export type FlushTarget = { name: string; type?: string } | { zone: string };

export function matchesFlush(target: FlushTarget, name: string, type: string | null): boolean {
  if ('zone' in target) return isInZone(name, target.zone);
  return canonical(name) === canonical(target.name) && (target.type === undefined || type === null || type === target.type);
}
