// Reading the layout of an encoded response and patching cached bytes for a new client: ID, RD bit, the
// question's letter case, TTLs counted down, and round-robin rotation of equal-sized RRs (RFC 1035 §4.1).
import { HEADER_LEN } from './question.js';

export interface RRLayout {
  /** Offset of the owner name (start of the RR). */
  start: number;
  /** Offset of the 4-byte TTL field. */
  ttlOffset: number;
  /** Offset just past the RDATA. */
  end: number;
  type: number;
}

/** Offset just past a (possibly compressed) name starting at `off`; -1 when malformed. */
export function skipName(buf: Uint8Array, off: number): number {
  for (let guard = 0; guard < 128; guard++) {
    if (off >= buf.length) return -1;
    const len = buf[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    off += len + 1;
  }
  return -1;
}

/** Layout of every RR after the question section (answer, authority, additional); null when malformed. */
export function layoutRecords(buf: Uint8Array, questionEnd: number): RRLayout[] | null {
  const count = ((buf[6]! << 8) | buf[7]!) + ((buf[8]! << 8) | buf[9]!) + ((buf[10]! << 8) | buf[11]!);
  const out: RRLayout[] = [];
  let off = questionEnd;
  for (let i = 0; i < count; i++) {
    const start = off;
    const afterName = skipName(buf, off);
    if (afterName < 0 || afterName + 10 > buf.length) return null;
    const type = (buf[afterName]! << 8) | buf[afterName + 1]!;
    const rdlen = (buf[afterName + 8]! << 8) | buf[afterName + 9]!;
    const end = afterName + 10 + rdlen;
    if (end > buf.length) return null;
    out.push({ start, ttlOffset: afterName + 4, end, type });
    off = end;
  }
  return off === buf.length ? out : null;
}

/** Writes the client's ID and RD bit into a cached response. */
export function patchHeader(out: Buffer, id: number, rdSet: boolean): void {
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = rdSet ? out[2]! | 0x01 : out[2]! & 0xfe;
}

/** Copies the client's question bytes (same name up to case, so same length) to restore its letter case. */
export function patchQuestionCase(out: Buffer, query: Uint8Array, questionEnd: number): void {
  // A plain loop: a question is a few dozen bytes, and subarray() would allocate a view per query.
  for (let i = HEADER_LEN; i < questionEnd - 4; i++) out[i] = query[i]!;
}

/**
 * Rotates a run of `count` equal-sized RRs of `blockLen` bytes starting at `start` by `turn` places. `source`
 * holds the stored order as a Latin-1 string (one char per byte, how the answer cache keeps responses).
 */
export function rotateBlocks(out: Buffer, source: string, start: number, blockLen: number, count: number, turn: number): void {
  const k = turn % count;
  if (k === 0) return;
  const firstLen = (count - k) * blockLen;
  const runLen = count * blockLen;
  // out receives [k..count) then [0..k). Byte loops: no views allocated per query.
  for (let i = 0; i < firstLen; i++) out[start + i] = source.charCodeAt(start + k * blockLen + i);
  for (let i = firstLen; i < runLen; i++) out[start + i] = source.charCodeAt(start + i - firstLen);
}

/** The 32-bit big-endian number at `off` of a Latin-1 string holding wire bytes. */
export function readUint32Latin1(source: string, off: number): number {
  return source.charCodeAt(off) * 0x1000000 + ((source.charCodeAt(off + 1) << 16) | (source.charCodeAt(off + 2) << 8) | source.charCodeAt(off + 3));
}
