// Fast peek at a query's header and question straight from the wire, without a full dns-packet decode.
// Used first on every query (RFC 1035 §4.1.1 header, §4.1.2 question).

export interface PeekedQuery {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
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

const scratch = Buffer.alloc(260);

/**
 * Reads the header and the first question. Returns null when the question cannot be read (truncated,
 * compressed name pointer in a question, bad label, name over 255 octets).
 */
export function peekQuery(buf: Uint8Array): PeekedQuery | null {
  if (buf.length < HEADER_LEN) return null;
  const qdcount = (buf[4]! << 8) | buf[5]!;
  if (qdcount < 1) return null;
  let off = HEADER_LEN;
  for (;;) {
    if (off >= buf.length) return null;
    const len = buf[off]!;
    if (len === 0) break;
    if (len > 63) return null; // pointers are not expected in a query's question
    off += len + 1;
  }
  off++; // the root label
  if (off + 4 > buf.length || off - HEADER_LEN > 255) return null;
  return {
    id: (buf[0]! << 8) | buf[1]!,
    flags: (buf[2]! << 8) | buf[3]!,
    qdcount,
    ancount: (buf[6]! << 8) | buf[7]!,
    nscount: (buf[8]! << 8) | buf[9]!,
    arcount: (buf[10]! << 8) | buf[11]!,
    qtype: (buf[off]! << 8) | buf[off + 1]!,
    qclass: (buf[off + 2]! << 8) | buf[off + 3]!,
    questionEnd: off + 4,
  };
}

/**
 * A cache key for a peeked question: the question as it is on the wire (labels, type, class) with ASCII letters
 * lower-cased (RFC 1035 §2.3.3: only ASCII case is folded), then one `variant` byte, as a single Latin-1 string
 * built without decoding the name (one allocation: this runs on every query).
 */
export function questionKey(buf: Uint8Array, questionEnd: number, variant: number): string {
  const keyLen = questionEnd - HEADER_LEN;
  for (let i = 0; i < keyLen; i++) {
    const c = buf[HEADER_LEN + i]!;
    scratch[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  scratch[keyLen] = variant;
  return scratch.toString('latin1', 0, keyLen + 1);
}

/** The question name in presentation form (case kept, root = "."), for the rare paths that need it. */
export function readQname(buf: Uint8Array): string {
  const labels: string[] = [];
  let off = HEADER_LEN;
  while (off < buf.length && buf[off]! !== 0 && buf[off]! <= 63) {
    const len = buf[off]!;
    labels.push(Buffer.from(buf.subarray(off + 1, off + 1 + len)).toString('latin1'));
    off += len + 1;
  }
  return labels.length === 0 ? '.' : labels.join('.');
}

/** A name as the lower-cased wire labels a question key starts with (for flushing one name). */
export function nameKeyPrefix(name: string): string {
  const labels = name === '.' || name === '' ? [] : name.replace(/\.$/, '').toLowerCase().split('.');
  return labels.map((l) => String.fromCharCode(l.length) + l).join('') + '\0';
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
