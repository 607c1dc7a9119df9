// Accepting only the reply to the query we sent (RFC 5452 §9.1): same ID, QR set, and the same question.
// The source address and port are checked by the transport (the UDP pool keys pending queries by them; one TCP stream).

/** Length of the question section of a query we built (one question, no compression). */
function questionEnd(wire: Buffer): number {
  let off = 12;
  while (off < wire.length) {
    const len = wire[off]!;
    if (len === 0) return off + 5;
    off += len + 1;
  }
  return -1;
}

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

export type MatchResult = 'match' | 'case-mismatch' | 'no';

/** True when `reply` answers `query`: ID and question match, QR is set. */
export function replyMatches(query: Buffer, reply: Buffer, exactCase: boolean): boolean {
  return matchReply(query, reply, exactCase) === 'match';
}

/** Like replyMatches, but tells a reply that differs only in letter case apart from one that does not match. */
export function matchReply(query: Buffer, reply: Buffer, exactCase: boolean): MatchResult {
  if (reply.length < 12) return 'no';
  if (reply[0] !== query[0] || reply[1] !== query[1]) return 'no';
  if ((reply[2]! & 0x80) === 0) return 'no';
  const qdcount = reply.readUInt16BE(4);
  if (qdcount === 0) {
    // Some servers send FORMERR/REFUSED/NOTIMP with no question; accept those only as errors.
    const rcode = reply[3]! & 0x0f;
    return rcode !== 0 && rcode !== 3 ? 'match' : 'no';
  }
  if (qdcount !== 1) return 'no';
  const end = questionEnd(query);
  if (end < 0 || reply.length < end) return 'no';
  let caseDiffers = false;
  for (let i = 12; i < end; i++) {
    const a = query[i]!;
    const b = reply[i]!;
    if (a === b) continue;
    if (lower(a) !== lower(b)) return 'no';
    caseDiffers = true;
  }
  return caseDiffers && exactCase ? 'case-mismatch' : 'match';
}
