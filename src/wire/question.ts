// Fast peek at a query's header and question straight from the wire, without a full dns-packet decode.
// Used first on every query (RFC 1035 §4.1.1 header, §4.1.2 question).

export interface PeekedQuery {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  /** Question name as received, in presentation form (no trailing dot, root = "."). */
  qname: string;
  /** Lower-cased qname: the cache key part. */
  qnameLower: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question (start of the answer section). */
  questionEnd: number;
}

export const HEADER_LEN = 12;

/** Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD). */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

/** Reads the header only; null when fewer than 12 bytes arrived. */
export function peekHeader(buf: Uint8Array): { id: number; flags: number; qdcount: number } | null {
  if (buf.length < HEADER_LEN) return null;
  return {
    id: (buf[0]! << 8) | buf[1]!,
    flags: (buf[2]! << 8) | buf[3]!,
    qdcount: (buf[4]! << 8) | buf[5]!,
  };
}

/**
 * Reads the header and the first question. Returns null when the question cannot be read (truncated,
 * compressed name pointer in a question, bad label). Labels are read as Latin-1 so any byte survives.
 */
export function peekQuery(buf: Uint8Array): PeekedQuery | null {
  if (buf.length < HEADER_LEN) return null;
  const qdcount = (buf[4]! << 8) | buf[5]!;
  if (qdcount < 1) return null;
  let off = HEADER_LEN;
  let name = '';
  let total = 0;
  for (;;) {
    if (off >= buf.length) return null;
    const len = buf[off]!;
    off++;
    if (len === 0) break;
    if (len > 63) return null; // pointers are not expected in a query's question
    if (off + len > buf.length) return null;
    total += len + 1;
    if (total > 254) return null; // RFC 1035 §2.3.4: 255 octets at most
    let label = '';
    for (let i = off; i < off + len; i++) label += String.fromCharCode(buf[i]!);
    name = name === '' ? label : name + '.' + label;
    off += len;
  }
  if (off + 4 > buf.length) return null;
  const qname = name === '' ? '.' : name;
  return {
    id: (buf[0]! << 8) | buf[1]!,
    flags: (buf[2]! << 8) | buf[3]!,
    qdcount,
    ancount: (buf[6]! << 8) | buf[7]!,
    nscount: (buf[8]! << 8) | buf[9]!,
    arcount: (buf[10]! << 8) | buf[11]!,
    qname,
    qnameLower: qname.toLowerCase(),
    qtype: (buf[off]! << 8) | buf[off + 1]!,
    qclass: (buf[off + 2]! << 8) | buf[off + 3]!,
    questionEnd: off + 4,
  };
}

export interface PeekedOpt {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
}

/**
 * Reads an OPT record (RFC 6891 §6.1.2) that must be the only additional record, starting at `off` and ending
 * the packet. Options (cookies and the like) are skipped. Null when it is anything else.
 */
export function peekOpt(buf: Uint8Array, off: number): PeekedOpt | null {
  if (off + 11 > buf.length || buf[off] !== 0) return null;
  if (((buf[off + 1]! << 8) | buf[off + 2]!) !== 41) return null;
  const rdlen = (buf[off + 9]! << 8) | buf[off + 10]!;
  if (off + 11 + rdlen !== buf.length) return null;
  return {
    udpSize: Math.max(512, (buf[off + 3]! << 8) | buf[off + 4]!),
    version: buf[off + 6]!,
    dnssecOk: (buf[off + 7]! & 0x80) !== 0,
  };
}
