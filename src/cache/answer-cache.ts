// The wire-level answer cache (the hot path, like PowerDNS Recursor's packet cache): ready response bytes keyed
// by (qname lower-cased, qtype, qclass — the wire question — DO, CD, EDNS present). A hit copies the bytes and patches ID, RD, TTLs,
// question case and A/AAAA rotation — no dns-packet decode or encode. The RRset cache stays the source of truth;
// an entry lives only as long as the shortest TTL in it.
import { LRUCache } from 'lru-cache';
import type { RotateMode } from '../config/schema.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import type { CacheTallies } from '../observe/tallies.js';
import { LRU_ENTRY_BYTES, stringBytes } from './sizes.js';
import { nameKeyPrefix, questionKey, readQname } from '../wire/question.js';
import { layoutRecords, patchHeader, patchQuestionCase, readUint32Latin1, rotateBlocks } from '../wire/patch.js';

const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_OPT = 41;

interface RotationRun {
  start: number;
  blockLen: number;
  count: number;
}

interface AnswerEntry {
  /**
   * The response as a Latin-1 string, one char per byte: a string costs 16 bytes plus its length, a Buffer
   * about 100 bytes of object on top (this cache holds one entry per name asked).
   */
  wire: string;
  storedAtMs: number;
  expiresAtMs: number;
  /** Where each record's TTL sits; the stored bytes hold the original TTLs (one array, not two: memory). */
  ttlOffsets: number[];
  rotations: readonly RotationRun[];
  turns: number;
  /** Whether a hit in the last 10% of the TTL already asked for a background refresh. */
  refreshRequested: boolean;
  /** Hits since `rootline top` last took them: the top names without a cost per hit beyond this count. */
  hits: number;
  /** The map's own key string (one pointer): what a hit hands the dashboard's query log, which keeps it. */
  key: string;
}

/** A hit: the patched bytes for this client, and whether the answer is near expiry and should be prefetched. */
export interface AnswerHit {
  bytes: Buffer;
  wantsRefresh: boolean;
  /** The entry's stored key (the lookup's own key is a fresh string; keeping this one allocates nothing). */
  key: string;
}

/**
 * The key of a query's answer: its lower-cased wire question plus one character for the AD, DO, CD and EDNS bits
 * (each changes the response: AD and DO whether it carries AD and the RRSIGs, CD whether bogus data is given).
 */
export function answerKey(query: Uint8Array, questionEnd: number, dnssecOk: boolean, cd: boolean, edns: boolean, ad = false): string {
  return questionKey(query, questionEnd, 0x30 + (ad ? 8 : 0) + (dnssecOk ? 4 : 0) + (cd ? 2 : 0) + (edns ? 1 : 0));
}

/** Shared by every entry with nothing to rotate, so those entries carry no array of their own. */
const NO_ROTATIONS: readonly RotationRun[] = Object.freeze([]);

/** Runs of ≥2 consecutive A or AAAA records with the same owner bytes and equal size, in the answer section. */
function findRotations(bytes: Buffer, layout: { start: number; end: number; type: number }[], answerCount: number): readonly RotationRun[] {
  const runs: RotationRun[] = [];
  let i = 0;
  while (i < answerCount) {
    const first = layout[i]!;
    if (first.type !== TYPE_A && first.type !== TYPE_AAAA) {
      i++;
      continue;
    }
    const blockLen = first.end - first.start;
    const ownerLen = blockLen - 10 - (first.type === TYPE_A ? 4 : 16);
    let j = i + 1;
    while (j < answerCount) {
      const r = layout[j]!;
      if (r.type !== first.type || r.end - r.start !== blockLen) break;
      if (!bytes.subarray(r.start, r.start + ownerLen).equals(bytes.subarray(first.start, first.start + ownerLen))) break;
      j++;
    }
    if (j - i >= 2) runs.push({ start: first.start, blockLen, count: j - i });
    i = j;
  }
  return runs.length === 0 ? NO_ROTATIONS : runs;
}

function answerEntryBytes(key: string, e: AnswerEntry): number {
  return LRU_ENTRY_BYTES + stringBytes(key) + 16 + 8 * 8 + stringBytes(e.wire) + 16 + 8 * e.ttlOffsets.length + 32 * e.rotations.length;
}

export class AnswerCache {
  private readonly lru: LRUCache<string, AnswerEntry>;
  /** Lookups (an expired entry is a miss) and entries pushed out by the size bound; read by the metrics. */
  readonly tallies: CacheTallies = { hits: 0, misses: 0, evictions: 0 };

  /** `maxBytes`: the memory bound (estimated, see sizes.ts); `maxEntries` caps the count as well. */
  constructor(
    maxEntries: number,
    private readonly clock: Clock,
    private readonly order: RotateMode,
    private readonly random: Random,
    maxBytes?: number,
  ) {
    this.lru = new LRUCache({
      max: Math.max(16, maxEntries),
      ...(maxBytes ? { maxSize: maxBytes, sizeCalculation: (e: AnswerEntry, key: string) => answerEntryBytes(key, e) } : {}),
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
   * Stores a full (untruncated) response. `questionEnd` is where its records begin. Responses whose shortest
   * TTL is 0, or that cannot be laid out, are not stored. `refreshable`: whether a hit near expiry may ask the
   * resolver for a fresh copy — false for answers a stage made (local data), which must never go upstream.
   */
  store(key: string, response: Buffer, questionEnd: number, refreshable = true): void {
    const layout = layoutRecords(response, questionEnd);
    if (!layout) return;
    const ttlOffsets: number[] = [];
    let minTtl = Infinity;
    for (const rr of layout) {
      if (rr.type === TYPE_OPT) continue; // the OPT "TTL" holds flags, not a TTL
      ttlOffsets.push(rr.ttlOffset);
      minTtl = Math.min(minTtl, response.readUInt32BE(rr.ttlOffset));
    }
    if (ttlOffsets.length === 0 || minTtl <= 0) return;
    const now = this.clock.nowMs();
    const answerCount = response.readUInt16BE(6);
    this.lru.set(key, {
      wire: response.toString('latin1'),
      storedAtMs: now,
      expiresAtMs: now + minTtl * 1000,
      // push() left room for 16 more; a copy is exactly as long as it needs to be (this entry lives for the TTL).
      ttlOffsets: ttlOffsets.slice(),
      rotations: this.order === 'fixed' ? NO_ROTATIONS : findRotations(response, layout, answerCount),
      turns: 1, // the response that was just sent was turn 0
      refreshRequested: !refreshable, // an entry that may not be refreshed counts as already asked
      hits: 0,
      key,
    });
  }

  /** A patched copy of the cached response for this client, or null (absent or expired). */
  lookup(key: string, query: Uint8Array, id: number, rdSet: boolean, questionEnd: number): AnswerHit | null {
    const e = this.lru.get(key);
    if (!e) {
      this.tallies.misses++;
      return null;
    }
    const now = this.clock.nowMs();
    if (now >= e.expiresAtMs) {
      this.lru.delete(key);
      this.tallies.misses++;
      return null;
    }
    this.tallies.hits++;
    // The last 10% of the TTL: one hit asks for a background refresh.
    const wantsRefresh = !e.refreshRequested && (now - e.storedAtMs) * 10 >= (e.expiresAtMs - e.storedAtMs) * 9;
    if (wantsRefresh) e.refreshRequested = true;
    e.hits++;
    const out = Buffer.from(e.wire, 'latin1');
    patchHeader(out, id, rdSet);
    patchQuestionCase(out, query, questionEnd);
    // Rotate before patching TTLs: rotation copies stored blocks, and every RR of a run has the same TTL.
    if (e.rotations.length > 0) {
      // 'random' on the hot path is a random rotation: cheap, and every address still comes first at times.
      const turn = this.order === 'rotate' ? e.turns++ : this.random.u16();
      for (const r of e.rotations) rotateBlocks(out, e.wire, r.start, r.blockLen, r.count, turn);
    }
    const elapsed = Math.floor((now - e.storedAtMs) / 1000);
    if (elapsed > 0) {
      for (const off of e.ttlOffsets) out.writeUInt32BE(Math.max(0, readUint32Latin1(e.wire, off) - elapsed), off);
    }
    return { bytes: out, wantsRefresh, key: e.key };
  }

  /** The names hit since the last call, with their hit counts (and the counts start again from 0). */
  takeHits(): { name: string; hits: number }[] {
    const out: { name: string; hits: number }[] = [];
    for (const e of this.lru.values()) {
      if (e.hits === 0) continue;
      out.push({ name: readQname(Buffer.from(e.wire.slice(0, 12 + 256), 'latin1')), hits: e.hits });
      e.hits = 0;
    }
    return out;
  }

  /** Drops everything, or every entry for one name (all types). */
  flush(name?: string): void {
    if (name === undefined) {
      this.lru.clear();
      return;
    }
    const prefix = nameKeyPrefix(name);
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key);
  }
}
