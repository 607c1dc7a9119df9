// The layout of a whole message with one question: where each record is, or null when the bytes do not parse
// as a DNS message (RFC 1035 §4.1). For the encrypted transports, which look at messages the pipeline passes by.
import { layoutRecords, skipName, type RRLayout } from './patch.js';
import { HEADER_LEN } from './question.js';

export const OPT_TYPE = 41;

/** The records after the question, every section; null when not exactly one question or malformed. */
export function messageRecords(buf: Uint8Array): RRLayout[] | null {
  if (buf.length < HEADER_LEN || ((buf[4]! << 8) | buf[5]!) !== 1) return null;
  const nameEnd = skipName(buf, HEADER_LEN);
  if (nameEnd < 0 || nameEnd + 4 > buf.length) return null;
  return layoutRecords(buf, nameEnd + 4);
}

/** The smallest TTL of the records but OPT (RFC 8484 §5.1: the freshness lifetime of a DoH answer); null: none. */
export function smallestTtl(buf: Uint8Array): number | null {
  let min: number | null = null;
  for (const r of messageRecords(buf) ?? []) {
    if (r.type === OPT_TYPE) continue;
    const ttl = ((buf[r.ttlOffset]! << 24) >>> 0) + ((buf[r.ttlOffset + 1]! << 16) | (buf[r.ttlOffset + 2]! << 8) | buf[r.ttlOffset + 3]!);
    if (min === null || ttl < min) min = ttl;
  }
  return min;
}
