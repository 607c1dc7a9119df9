// Encoding of responses to clients: header flags, sections, our OPT (RFC 6891) with EDE (RFC 8914), and the
// UDP truncation rule (RFC 1035 §4.2.1, RFC 2181 §9: when it does not fit, send TC=1 and no partial RRsets).
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { buildOpt, type ClientEdns, type ExtendedError } from './edns.js';
import { Flag } from './question.js';
import type { Question, RR } from './types.js';

export interface ResponseSpec {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  /** Echoed as received (case preserved); null when the question could not be read. */
  question: Question | null;
  /** Authoritative answer (locally served zones only). */
  aa?: boolean;
  /** Authentic data: every RRset validated secure (RFC 4035 §3.2.3), for clients that set DO or AD. */
  ad?: boolean;
  /** Full rcode; values above 15 go partly into the OPT record (RFC 6891 §6.1.3). */
  rcode: number;
  answer: readonly RR[];
  authority: readonly RR[];
  edns: ClientEdns;
  ede?: ExtendedError;
}

function headerFlags(spec: ResponseSpec, truncated: boolean): number {
  let flags = Flag.RA | ((spec.opcode & 0xf) << 11) | (spec.rcode & 0xf);
  if (spec.rd) flags |= Flag.RD;
  if (spec.cd) flags |= Flag.CD;
  if (spec.aa) flags |= Flag.AA;
  if (spec.ad) flags |= Flag.AD;
  if (truncated) flags |= Flag.TC;
  return flags;
}

function toPacket(spec: ResponseSpec, truncated: boolean): Packet {
  return {
    type: 'response',
    id: spec.id,
    flags: headerFlags(spec, truncated),
    questions: spec.question ? [spec.question as dnsPacket.Question] : [],
    answers: truncated ? [] : (spec.answer as unknown as Answer[]),
    authorities: truncated ? [] : (spec.authority as unknown as Answer[]),
    additionals: spec.edns.present ? [buildOpt(spec.rcode >> 4, spec.ede, spec.edns.dnssecOk)] : [],
  };
}

/** The response as bytes; over UDP pass the client's limit to get TC=1 when it does not fit. */
export function encodeResponse(spec: ResponseSpec, udpLimit?: number): Buffer {
  const full = dnsPacket.encode(toPacket(spec, false));
  if (udpLimit === undefined || full.length <= udpLimit) return full;
  return dnsPacket.encode(toPacket(spec, true));
}

/** A response with no question (header could be read, the rest could not): FORMERR and friends. */
export function encodeBareError(id: number, flags: number, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(id, 0);
  // Keep opcode and RD from the query; set QR and RA (RFC 1035 §4.1.1).
  const kept = flags & (0x7800 | Flag.RD);
  out.writeUInt16BE(Flag.QR | Flag.RA | kept | (rcode & 0xf), 2);
  return out;
}

/**
 * Puts the client's question bytes (header offset 12 up to `questionEnd`) into a response encoded without a
 * question: for names that presentation form cannot carry, the question is echoed exactly as received.
 */
export function withRawQuestion(response: Buffer, query: Uint8Array, questionEnd: number): Buffer {
  const out = Buffer.concat([response.subarray(0, 12), query.subarray(12, questionEnd), response.subarray(12)]);
  out.writeUInt16BE(1, 4);
  return out;
}
