// The cache file, for a warm restart (`cache-file`, `ctl dump-cache`, `ctl load-cache`). JSON Lines, version 1:
//   {"format":"rootline-cache","version":1,"writtenAt":"2026-12-04T18:00:00.000Z"}
//   {"rrset":{"name":"example.com","type":"NS","class":"IN","rank":5,"storedAt":<ms>,"expiresAt":<ms>,"wire":"<base64>"}}
//   {"negative":{"name":"nope.example.com","type":null,"expiresAt":<ms>,"wire":"<base64>"}}
// Times are wall-clock milliseconds (Unix epoch), so a restart counts TTLs down by the time that passed. `wire` is
// a DNS message whose answer section holds the RRset's records (their TTL the stored, original one) or the
// negative answer's SOA, decoded with the same decoder upstream replies go through. `rank` is the trust rank
// (cache/rank.ts); delegations are NS RRsets and glue at their ranks. A file that cannot be read whole is
// refused whole: the server then starts cold.
import { createWriteStream } from 'node:fs';
import { readFile, rename, unlink } from 'node:fs/promises';
import * as dnsPacket from 'dns-packet';
import { decodePacket } from '../wire/decode.js';
import type { RR } from '../wire/types.js';
import type { NegativeCache, NamedNegative } from './negative-cache.js';
import { Rank, type RankValue } from './rank.js';
import type { CachedRRset, RRsetCache } from './rrset-cache.js';
import type { Security } from '../resolver/step.js';

export const CACHE_FILE_FORMAT = 'rootline-cache';
export const CACHE_FILE_VERSION = 1;

export interface CacheCounts {
  rrsets: number;
  negative: number;
}

export interface LoadCounts extends CacheCounts {
  /** Entries in the file that had expired by now (not loaded). */
  expired: number;
}

interface RRsetLine {
  name: string;
  type: string;
  class: string;
  rank: RankValue;
  storedAt: number;
  expiresAt: number;
  wire: string;
  /** DNSSEC: the verdict, and the RRSIGs as a message like `wire` (absent for unsigned data). */
  security?: Security;
  sigs?: string;
}

interface NegativeLine {
  name: string;
  type: string | null;
  expiresAt: number;
  wire: string;
  security?: Security;
  /** The NSEC/NSEC3 records and RRSIGs of the denial. */
  proof?: string;
}

/** Verdicts worth keeping over a restart: bogus data lives bogus-ttl seconds and is fetched (and judged) again. */
const KEPT_SECURITY = new Set<unknown>(['secure', 'insecure', 'unchecked']);

export class CacheFileError extends Error {}

function toWire(records: readonly RR[]): string {
  return dnsPacket.encode({ type: 'response', answers: records as unknown as dnsPacket.Answer[] }).toString('base64');
}

function fromWire(base64: string): RR[] | null {
  const decoded = decodePacket(Buffer.from(base64, 'base64'));
  if (!decoded.ok) return null;
  return (decoded.packet.answers ?? []).map((a) => {
    const r = a as RR;
    return { name: r.name, type: r.type, class: r.class ?? 'IN', ttl: r.ttl ?? 0, data: r.data };
  });
}

/** Writes both caches to `path` (through a temporary file renamed over it, so a crash never leaves half a file). */
export async function writeCacheFile(path: string, rrsets: RRsetCache, negatives: NegativeCache): Promise<CacheCounts> {
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  const counts: CacheCounts = { rrsets: 0, negative: 0 };
  const write = (line: object): Promise<void> | void => {
    if (!out.write(JSON.stringify(line) + '\n')) return new Promise((resolve) => out.once('drain', resolve));
  };
  await write({ format: CACHE_FILE_FORMAT, version: CACHE_FILE_VERSION, writtenAt: new Date().toISOString() });
  for (const e of rrsets.entries()) {
    let wire: string;
    try {
      wire = toWire(e.records);
    } catch {
      continue; // a record dns-packet cannot write back: that RRset is fetched again after the restart
    }
    if (e.security === 'bogus') continue;
    let sigs: string | undefined;
    try {
      sigs = e.sigs && e.sigs.length > 0 ? toWire(e.sigs) : undefined;
    } catch {
      sigs = undefined; // then the RRset is kept unsigned, and loses its verdict below
    }
    const security = sigs || !e.sigs ? e.security : 'unchecked';
    const line: RRsetLine = { name: e.name, type: e.type, class: e.class, rank: e.rank, storedAt: e.storedAtMs, expiresAt: e.expiresAtMs, wire, ...(security ? { security } : {}), ...(sigs ? { sigs } : {}) };
    await write({ rrset: line });
    counts.rrsets++;
  }
  for (const e of negatives.entries()) {
    if (!e.soa || e.security === 'bogus') continue; // a denial without an SOA lives seconds: not worth a restart
    let proof: string | undefined;
    try {
      proof = e.proof && e.proof.length > 0 ? toWire(e.proof) : undefined;
    } catch {
      proof = undefined;
    }
    const security = proof || !e.proof ? e.security : 'unchecked';
    const line: NegativeLine = { name: e.name, type: e.type, expiresAt: e.expiresAtMs, wire: toWire([e.soa]), ...(security ? { security } : {}), ...(proof ? { proof } : {}) };
    await write({ negative: line });
    counts.negative++;
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
  await rename(tmp, path);
  return counts;
}

export interface CacheSnapshot {
  rrsets: Omit<CachedRRset, 'turns'>[];
  negatives: NamedNegative[];
}

const RANKS = new Set<number>(Object.values(Rank));
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function rrsetFrom(v: Partial<RRsetLine>): Omit<CachedRRset, 'turns'> | null {
  if (typeof v.name !== 'string' || typeof v.type !== 'string' || typeof v.class !== 'string') return null;
  if (!RANKS.has(v.rank as number) || !isTime(v.storedAt) || !isTime(v.expiresAt) || typeof v.wire !== 'string') return null;
  const records = fromWire(v.wire);
  if (!records || records.length === 0 || records.some((r) => r.type !== v.type)) return null;
  if (v.security !== undefined && !KEPT_SECURITY.has(v.security)) return null;
  const sigs = v.sigs === undefined ? undefined : fromWire(v.sigs);
  if (sigs === null || sigs?.some((r) => r.type !== 'RRSIG')) return null;
  return {
    name: v.name,
    type: v.type,
    class: v.class,
    rank: v.rank as RankValue,
    storedAtMs: v.storedAt,
    expiresAtMs: v.expiresAt,
    records: records.map((r) => ({ ...r, name: v.name! })),
    ...(v.security ? { security: v.security } : {}),
    ...(sigs && sigs.length > 0 ? { sigs } : {}),
  };
}

function negativeFrom(v: Partial<NegativeLine>): NamedNegative | null {
  if (typeof v.name !== 'string' || !(v.type === null || typeof v.type === 'string') || !isTime(v.expiresAt) || typeof v.wire !== 'string') return null;
  const soa = fromWire(v.wire)?.[0];
  if (!soa || soa.type !== 'SOA') return null;
  if (v.security !== undefined && !KEPT_SECURITY.has(v.security)) return null;
  const proof = v.proof === undefined ? undefined : fromWire(v.proof);
  if (proof === null || proof?.some((r) => r.type !== 'RRSIG' && r.type !== 'NSEC' && r.type !== 'NSEC3')) return null;
  return {
    name: v.name,
    type: v.type,
    kind: v.type === null ? 'nxdomain' : 'nodata',
    soa,
    expiresAtMs: v.expiresAt,
    ...(v.security ? { security: v.security } : {}),
    ...(proof && proof.length > 0 ? { proof } : {}),
  };
}

/** Reads and checks a whole file; throws CacheFileError naming the line that is wrong. */
export async function readCacheFile(path: string): Promise<CacheSnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CacheFileError(`cannot read cache file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const bad = (n: number, why: string): never => {
    throw new CacheFileError(`cache file ${path} line ${n}: ${why}`);
  };
  const parse = (n: number): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(lines[n - 1]!);
      if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    return bad(n, 'not a JSON object (the file is damaged or was cut short)');
  };
  if (lines.length === 0) bad(1, 'empty');
  const header = parse(1);
  if (header.format !== CACHE_FILE_FORMAT) bad(1, `not a rootline cache file`);
  if (header.version !== CACHE_FILE_VERSION) bad(1, `version ${String(header.version)} is not ${CACHE_FILE_VERSION}`);
  const snapshot: CacheSnapshot = { rrsets: [], negatives: [] };
  for (let n = 2; n <= lines.length; n++) {
    const v = parse(n);
    if ('rrset' in v) {
      const e = rrsetFrom(v.rrset as Partial<RRsetLine>);
      if (!e) bad(n, 'not a valid RRset entry');
      snapshot.rrsets.push(e!);
    } else if ('negative' in v) {
      const e = negativeFrom(v.negative as Partial<NegativeLine>);
      if (!e) bad(n, 'not a valid negative entry');
      snapshot.negatives.push(e!);
    } else {
      bad(n, 'neither an rrset nor a negative entry');
    }
  }
  return snapshot;
}

/** Puts a snapshot into the caches: what has expired by now is dropped, the rest keeps its absolute expiry. */
export function restoreSnapshot(s: CacheSnapshot, rrsets: RRsetCache, negatives: NegativeCache): LoadCounts {
  const counts: LoadCounts = { rrsets: 0, negative: 0, expired: 0 };
  for (const e of s.rrsets) {
    if (rrsets.restore(e)) counts.rrsets++;
    else counts.expired++;
  }
  for (const e of s.negatives) {
    if (negatives.restore(e)) counts.negative++;
    else counts.expired++;
  }
  return counts;
}

/**
 * With workers, each writes its own part (`FILE.part-PID`); the primary joins them into one file (a name two
 * workers both hold appears twice, the later one wins on load) and removes the parts.
 */
export async function joinCacheParts(path: string, parts: readonly string[]): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  out.write(JSON.stringify({ format: CACHE_FILE_FORMAT, version: CACHE_FILE_VERSION, writtenAt: new Date().toISOString() }) + '\n');
  for (const part of parts) {
    const text = await readFile(part, 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    if (!out.write(body)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    await unlink(part);
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
  await rename(tmp, path);
}
