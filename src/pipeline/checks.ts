// The protocol checks a query passes before any policy sees it: pure functions from what the query says to the
// rcode it earns (null: it passes). pipeline.ts runs them in the order of the RFCs' precedence, see there.
import type { WirePacket } from '../wire/decode.js';
import { EdeCode } from '../wire/ede.js';
import type { ClientEdns, ExtendedError } from '../wire/edns.js';
import { Flag } from '../wire/question.js';
import { Rcode, type Question } from '../wire/types.js';

/** A response sent to us is dropped unanswered (RFC 5452 hygiene: never answer an answer). */
export function isResponse(flags: number): boolean {
  return (flags & Flag.QR) !== 0;
}

/** OPT records in the additional section. */
export function countOpt(packet: WirePacket): number {
  let n = 0;
  for (const r of packet.additionals ?? []) if ((r as { type: string }).type === 'OPT') n++;
  return n;
}

/** What is wrong with the message itself, before its question is looked at. */
export function messageError(opcode: number, questionCount: number, optCount: number, edns: ClientEdns): number | null {
  // RFC 1035 §4.1.1: only standard queries.
  if (opcode !== 0) return Rcode.NOTIMP;
  // One question (RFC 9619); RFC 6891 §6.1.1: at most one OPT.
  if (questionCount !== 1 || optCount > 1) return Rcode.FORMERR;
  // RFC 6891 §6.1.3: a version we do not implement gets BADVERS, with our OPT saying version 0.
  if (edns.present && edns.version > 0) return Rcode.BADVERS;
  return null;
}

/** Query types a recursive resolver does not serve (RFC 5936 §4: zone transfers are for authoritative servers). */
const REFUSED_TYPES = new Set(['AXFR', 'IXFR']);

/** Questions a recursive resolver does not serve: other classes than IN, zone transfers. */
export function questionError(q: Question): number | null {
  return q.class !== 'IN' || REFUSED_TYPES.has(q.type) ? Rcode.REFUSED : null;
}

/** True when every label is non-empty (so no label held a dot, which presentation-form names cannot carry). */
export function isPlainName(name: string): boolean {
  return name === '.' || !(name.startsWith('.') || name.includes('..'));
}

/** Why a name with a dot inside a label is refused (RFC 8914 §4.22). */
export const DOTTED_LABEL_EDE: ExtendedError = Object.freeze({ code: EdeCode.NOT_SUPPORTED, text: 'labels containing dots are not supported' });
