// Bailiwick scrubbing (RFC 2181 §5.4.1, RFC 1034 §4.3.2): from an upstream reply keep only records the
// answering server is authoritative for — its zone and below — so a server can never plant data for other
// zones or for a zone above it.
import type { WirePacket } from '../wire/decode.js';
import { isInZone } from '../wire/names.js';
import type { RR } from '../wire/types.js';

export interface ScrubbedReply {
  answer: RR[];
  authority: RR[];
  additional: RR[];
  /** How many records were dropped as out of bailiwick (for traces and tests). */
  dropped: number;
}

function isDataRecord(r: { type: string; class?: string }): boolean {
  return r.type !== 'OPT' && (r.class === undefined || r.class === 'IN');
}

export function scrubReply(packet: WirePacket, zone: string): ScrubbedReply {
  let dropped = 0;
  const keep = (list: unknown[] | undefined): RR[] => {
    const out: RR[] = [];
    for (const raw of list ?? []) {
      const r = raw as RR;
      if (!isDataRecord(r)) continue;
      if (!isInZone(r.name, zone)) {
        dropped++;
        continue;
      }
      out.push({ name: r.name, type: r.type, class: r.class ?? 'IN', ttl: r.ttl ?? 0, data: r.data });
    }
    return out;
  };
  const answer = keep(packet.answers);
  const authority = keep(packet.authorities);
  const additional = keep(packet.additionals);
  return { answer, authority, additional, dropped };
}

/** The size of the largest RRset (same owner and type) in the answer and authority sections. */
export function largestRRset(r: ScrubbedReply): number {
  const counts = new Map<string, number>();
  let most = 0;
  for (const rr of [...r.answer, ...r.authority]) {
    const key = `${rr.name.toLowerCase()}|${rr.type}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > most) most = n;
  }
  return most;
}
