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

/** Rough bytes one slot holds beyond the shared strings (arrays of numbers, pointers, a name string). */
export const QUERY_ROW_BYTES = 200;
const DROPPED = -1;
const CACHED = 1;
/** names[i] holds an answer-cache key (wire question + a variant byte), not a name. */
const WIRE_KEY = 2;

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

/** The ring's clock: Date.now() read every CLOCK_MS by a timer, not once per query (a query log shows seconds). */
const CLOCK_MS = 100;

export class QueryRing {
  private readonly times: Float64Array;
  private readonly ms: Float32Array;
  private readonly rcodes: Int16Array;
  private readonly answerCounts: Uint16Array;
  private readonly flags: Uint8Array;
  private readonly clients: string[];
  private readonly transports: string[];
  private readonly names: string[];
  private readonly types: string[];
  private readonly policies: (string | undefined)[];
  private readonly edes: (string | undefined)[];
  private next = 0;
  private filled = 0;
  private nowMs = Date.now();
  private readonly clock: ReturnType<typeof setInterval>;

  constructor(readonly size: number) {
    this.times = new Float64Array(size);
    this.ms = new Float32Array(size);
    this.rcodes = new Int16Array(size);
    this.answerCounts = new Uint16Array(size);
    this.flags = new Uint8Array(size);
    this.clients = new Array<string>(size).fill('');
    this.transports = new Array<string>(size).fill('');
    this.names = new Array<string>(size).fill('');
    this.types = new Array<string>(size).fill('');
    this.policies = new Array<string | undefined>(size).fill(undefined);
    this.edes = new Array<string | undefined>(size).fill(undefined);
    this.clock = setInterval(() => (this.nowMs = Date.now()), CLOCK_MS);
    this.clock.unref();
  }

  /** Stops the ring's clock timer (the process exits without it too: the timer is unref'd). */
  close(): void {
    clearInterval(this.clock);
  }

  get length(): number {
    return this.filled;
  }

  push(client: string, transport: string, name: string, type: string, rcode: number | 'dropped', answers: number, ms: number, cached: boolean, policy?: string, ede?: string): void {
    if (this.size === 0) return;
    const i = this.next;
    this.times[i] = this.nowMs;
    this.ms[i] = ms;
    this.rcodes[i] = rcode === 'dropped' ? DROPPED : rcode;
    this.answerCounts[i] = answers;
    this.flags[i] = cached ? CACHED : 0;
    this.clients[i] = client;
    this.transports[i] = transport;
    this.names[i] = name;
    this.types[i] = type;
    this.policies[i] = policy;
    this.edes[i] = ede;
    this.next = i + 1 === this.size ? 0 : i + 1;
    if (this.filled < this.size) this.filled++;
  }

  /** An answer-cache hit: its key stands for the name and type until the log is read (see the top of the file). */
  pushHit(client: string, transport: string, answerKey: string, rcode: number, answers: number): void {
    if (this.size === 0) return;
    const i = this.next;
    this.times[i] = this.nowMs;
    this.ms[i] = 0;
    this.rcodes[i] = rcode;
    this.answerCounts[i] = answers;
    this.flags[i] = CACHED | WIRE_KEY;
    this.clients[i] = client;
    this.transports[i] = transport;
    this.names[i] = answerKey;
    this.types[i] = '';
    this.policies[i] = undefined;
    this.edes[i] = undefined;
    this.next = i + 1 === this.size ? 0 : i + 1;
    if (this.filled < this.size) this.filled++;
  }

  /** Slot i's name and type, decoding a hit's key once (the slot then holds the name). */
  private question(i: number): { name: string; type: string } {
    if ((this.flags[i]! & WIRE_KEY) !== 0) {
      const q = fromAnswerKey(this.names[i]!);
      this.names[i] = q.name;
      this.types[i] = q.type;
      this.flags[i]! &= ~WIRE_KEY;
    }
    return { name: this.names[i]!, type: this.types[i]! };
  }

  /** Newest first, at most `limit` rows that pass the filter. */
  recent(filter: QueryFilter, limit: number): QueryRow[] {
    const out: QueryRow[] = [];
    const name = filter.name?.toLowerCase();
    const type = filter.type?.toUpperCase();
    const rcode = filter.rcode === 'dropped' ? DROPPED : filter.rcode;
    for (let k = 0; k < this.filled && out.length < limit; k++) {
      const i = (this.next - 1 - k + this.size) % this.size;
      if (filter.client !== undefined && this.clients[i] !== filter.client) continue;
      const q = name !== undefined || type !== undefined ? this.question(i) : null;
      if (name !== undefined && !q!.name.toLowerCase().includes(name)) continue;
      if (type !== undefined && q!.type !== type) continue;
      if (rcode !== undefined && this.rcodes[i] !== rcode) continue;
      if (filter.cached !== undefined && ((this.flags[i]! & CACHED) !== 0) !== filter.cached) continue;
      if (filter.blocked !== undefined && (this.policies[i] === 'blocklist' || this.policies[i] === 'cname-cloaking') !== filter.blocked) continue;
      out.push(this.row(i));
    }
    return out;
  }

  private row(i: number): QueryRow {
    const policy = this.policies[i];
    const ede = this.edes[i];
    const { name, type } = this.question(i);
    return {
      time: this.times[i]!,
      client: this.clients[i]!,
      transport: this.transports[i]!,
      name,
      type,
      rcode: this.rcodes[i] === DROPPED ? 'dropped' : this.rcodes[i]!,
      answers: this.answerCounts[i]!,
      ms: Math.round(this.ms[i]! * 100) / 100,
      cached: (this.flags[i]! & CACHED) !== 0,
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
