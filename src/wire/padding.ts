// EDNS(0) Padding (RFC 7830) of responses over encrypted transports: when the query carries a Padding option,
// the response is padded to a multiple of 468 bytes (RFC 8467 §4.1, the Block-Length Padding strategy), so that
// its length says little about the name asked for. Done on the bytes the pipeline (or the answer cache) gave.
import { messageRecords, OPT_TYPE } from './layout.js';
import type { RRLayout } from './patch.js';

/** RFC 7830 §3 option code. */
export const PADDING_OPTION = 12;
/** RFC 8467 §4.1: the block length recommended for responses. */
export const RESPONSE_BLOCK = 468;
const MAX_MESSAGE = 65_535;

function findOpt(buf: Buffer): RRLayout | null {
  return messageRecords(buf)?.find((r) => r.type === OPT_TYPE) ?? null;
}

/** Whether the query's OPT record holds a Padding option (RFC 7830 §4: the client asks for padded responses). */
export function wantsPadding(query: Buffer): boolean {
  const opt = findOpt(query);
  if (!opt) return false;
  // OPT RDATA (RFC 6891 §6.1.2): {code u16, length u16, data} repeated, starting after TTL(4) and RDLENGTH(2).
  for (let off = opt.ttlOffset + 6; off + 4 <= opt.end; off += 4 + ((query[off + 2]! << 8) | query[off + 3]!)) {
    if (((query[off]! << 8) | query[off + 1]!) === PADDING_OPTION) return true;
  }
  return false;
}

/**
 * The response with a Padding option added to its OPT record, its length a multiple of `block`. Unchanged when
 * it has no OPT record (a bare FORMERR) or padding would take it past the largest DNS message.
 */
export function padResponse(response: Buffer, block = RESPONSE_BLOCK): Buffer {
  const opt = findOpt(response);
  if (!opt) return response;
  const padding = (block - ((response.length + 4) % block)) % block;
  const total = response.length + 4 + padding;
  if (total > MAX_MESSAGE) return response;
  const out = Buffer.alloc(total); // zero-filled: RFC 7830 §4 wants the padding octets 0x00
  response.copy(out, 0, 0, opt.end);
  out.writeUInt16BE(PADDING_OPTION, opt.end);
  out.writeUInt16BE(padding, opt.end + 2);
  response.copy(out, opt.end + 4 + padding, opt.end);
  const rdlenAt = opt.ttlOffset + 4;
  out.writeUInt16BE(response.readUInt16BE(rdlenAt) + 4 + padding, rdlenAt);
  return out;
}
