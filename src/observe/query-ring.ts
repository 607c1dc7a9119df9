// The dashboard's query log: the last N client queries in a fixed ring of parallel arrays, so a push is a few
// stores and no allocation of its own (the name string is the caller's). Only built when web-listen is set;
// reading filters it newest first. Bounded by construction: N slots, overwritten oldest first.
// A cache hit does not even make its name: it leaves the answer-cache key it already has (the lower-cased wire
// question), decoded only when someone reads the log — making the name string would triple a hit's cost.
import { typeName } from '../wire/types.js';

/** One answered (or dropped) query, as the dashboard's query log shows it. */
export interface QueryRow {
  /** Epoch ms. */
  time: number;
  client: string;
  transport: string;
  name: string;
  type: string;
  /** Numeric rcode, or 'dropped' (no answer sent). */
  rcode: number | 'dropped';
  answers: number;
  ms: number;
  cached: boolean;
  /** The gate, stage or filter that decided ('blocklist' for a blocked name), if one did. */
  policy?: string;
  /** The Extended DNS Error given: for a blocked name, the list, line and rule. */
  ede?: string;
}

export interface QueryFilter {
  /** Exact client address. */
  client?: string;
  /** A part of the name (case-insensitive). */
  name?: string;
  type?: string;
  /** Numeric rcode or 'dropped'. */
  rcode?: number | 'dropped';
  blocked?: boolean;
  cached?: boolean;
}

/** Rough bytes one slot holds beyond the shared strings (measured: scripts/bench/query-ring-memory.mjs). */
export const QUERY_ROW_BYTES = 200;

/** The ring's clock: Date.now() read every CLOCK_MS by a timer, not once per query (a query log shows seconds). */
const CLOCK_MS = 100;

// One slot's numbers: two small integers side by side in `meta` — the time in tenths of a second since the ring
// was made, then bits 0-15 answers, 16-20 rcode + 1 (0: dropped), 21-22 flags, 23-24 transport — so a hit writes
// two small integers and two pointers (clients, names), 24 bytes a query. (A Uint32Array here, or one array
// of four per slot, measured the same in scripts/bench/web-hit-ab.mjs.)
const CACHED = 1;
/** names[i] holds an answer-cache key (wire question + a variant byte), not a name; types/policy/EDE are not set. */
const WIRE_KEY = 2;
const TRANSPORTS = ['udp', 'tcp', 'tls', 'https'] as const;
const transportCode = (t: string): number => {
  const i = (TRANSPORTS as readonly string[]).indexOf(t);
  return i < 0 ? 0 : i;
};
const pack = (answers: number, rcode: number | 'dropped', flags: number, transport: number): number =>
  Math.min(answers, 0xffff) | ((rcode === 'dropped' ? 0 : (rcode & 0x0f) + 1) << 16) | (flags << 21) | (transport << 23);

/** The name and type of an answer-cache key: wire labels (lower-cased), QTYPE, QCLASS, one variant byte. */
export function fromAnswerKey(key: string): { name: string; type: string } {
  const labels: string[] = [];
  let off = 0;
  while (off < key.length) {
    const len = key.charCodeAt(off);
    if (len === 0 || len > 63) break;
    labels.push(key.slice(off + 1, off + 1 + len));
    off += len + 1;
  }
  const qtype = (key.charCodeAt(off + 1) << 8) | key.charCodeAt(off + 2);
  return { name: labels.length === 0 ? '.' : labels.join('.'), type: typeName(qtype) };
}

export class QueryRing {
  private readonly meta: number[];
  /** Answer time, full path only (a hit's is 0). */
  private readonly ms: Float32Array;
  private readonly clients: string[];
  private readonly names: string[];
  /** Set by the full path only (a hit's type is in its key). */
  private readonly types: string[];
  private readonly policies: (string | undefined)[];
  private readonly edes: (string | undefined)[];
  private next = 0;
  private filled = 0;
  private readonly epochMs = Date.now();
  /** Tenths of a second since epochMs, as the clock timer last read it. */
  private now = 0;
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(readonly size: number) {
    this.meta = new Array<number>(size * 2).fill(0);
    this.ms = new Float32Array(size);
    this.clients = new Array<string>(size).fill('');
    this.names = new Array<string>(size).fill('');
    this.types = new Array<string>(size).fill('');
    this.policies = new Array<string | undefined>(size).fill(undefined);
    this.edes = new Array<string | undefined>(size).fill(undefined);
    this.clock = setInterval(() => (this.now = Math.floor((Date.now() - this.epochMs) / 100)), CLOCK_MS);
    this.clock.unref();
  }

  /** Stops the ring's clock timer (the process exits without it too: the timer is unref'd). */
  close(): void {
    clearInterval(this.clock);
  }

  get length(): number {
    return this.filled;
  }

  /** A full-path answer (or a drop): every field of its own. */
  push(client: string, transport: string, name: string, type: string, rcode: number | 'dropped', answers: number, ms: number, cached: boolean, policy?: string, ede?: string): void {
    if (this.size === 0) return;
    const i = this.next;
    this.meta[2 * i] = this.now;
    this.meta[2 * i + 1] = pack(answers, rcode, cached ? CACHED : 0, transportCode(transport));
    this.ms[i] = ms;
    this.clients[i] = client;
    this.names[i] = name;
    this.types[i] = type;
    this.policies[i] = policy;
    this.edes[i] = ede;
    this.advance();
  }

  /**
   * An answer-cache hit: its key stands for the name and type until the log is read (see the top of the file);
   * four stores into three arrays, nothing allocated.
   */
  pushHit(client: string, transport: string, answerKey: string, rcode: number, answers: number): void {
    if (this.size === 0) return;
    const i = this.next;
    this.meta[2 * i] = this.now;
    this.meta[2 * i + 1] = pack(answers, rcode, CACHED | WIRE_KEY, transportCode(transport));
    this.clients[i] = client;
    this.names[i] = answerKey;
    this.advance();
  }

  private advance(): void {
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
    if (this.filled < this.size) this.filled++;
  }

  private flags(i: number): number {
    return (this.meta[2 * i + 1]! >> 21) & 0x03;
  }

  private rcode(i: number): number | 'dropped' {
    const r = (this.meta[2 * i + 1]! >> 16) & 0x1f;
    return r === 0 ? 'dropped' : r - 1;
  }

  /** Slot i's name and type, decoding a hit's key once (the slot then holds the name, like a full-path one). */
  private question(i: number): { name: string; type: string } {
    if ((this.flags(i) & WIRE_KEY) !== 0) {
      const q = fromAnswerKey(this.names[i]!);
      this.names[i] = q.name;
      this.types[i] = q.type;
      this.policies[i] = undefined;
      this.edes[i] = undefined;
      this.ms[i] = 0;
      this.meta[2 * i + 1] = this.meta[2 * i + 1]! & ~(WIRE_KEY << 21);
    }
    return { name: this.names[i]!, type: this.types[i]! };
  }

  /** Newest first, at most `limit` rows that pass the filter. */
  recent(filter: QueryFilter, limit: number): QueryRow[] {
    const out: QueryRow[] = [];
    const name = filter.name?.toLowerCase();
    const type = filter.type?.toUpperCase();
    for (let k = 0; k < this.filled && out.length < limit; k++) {
      const i = (this.next - 1 - k + this.size) % this.size;
      if (filter.client !== undefined && this.clients[i] !== filter.client) continue;
      // A hit's slot is made plain before anything reads its name, type, policy or EDE.
      const q = this.question(i);
      if (name !== undefined && !q.name.toLowerCase().includes(name)) continue;
      if (type !== undefined && q.type !== type) continue;
      if (filter.rcode !== undefined && this.rcode(i) !== filter.rcode) continue;
      if (filter.cached !== undefined && ((this.flags(i) & CACHED) !== 0) !== filter.cached) continue;
      if (filter.blocked !== undefined && (this.policies[i] === 'blocklist' || this.policies[i] === 'cname-cloaking') !== filter.blocked) continue;
      out.push(this.row(i, q));
    }
    return out;
  }

  private row(i: number, q: { name: string; type: string }): QueryRow {
    const policy = this.policies[i];
    const ede = this.edes[i];
    return {
      time: this.epochMs + this.meta[2 * i]! * 100,
      client: this.clients[i]!,
      transport: TRANSPORTS[(this.meta[2 * i + 1]! >> 23) & 0x03] ?? 'udp',
      name: q.name,
      type: q.type,
      rcode: this.rcode(i),
      answers: this.meta[2 * i + 1]! & 0xffff,
      ms: Math.round(this.ms[i]! * 100) / 100,
      cached: (this.flags(i) & CACHED) !== 0,
      ...(policy ? { policy } : {}),
      ...(ede ? { ede } : {}),
    };
  }
}

/** Rows from several workers, newest first, cut to limit. */
export function mergeRows(lists: readonly QueryRow[][], limit: number): QueryRow[] {
  return lists
    .flat()
    .sort((a, b) => b.time - a.time)
    .slice(0, limit);
}
