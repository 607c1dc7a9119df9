// Queries we send upstream: one question, EDNS0 with our UDP size. RD=0 when we iterate (RFC 1034 §5.3.3);
// RD=1 only towards a server that recurses for us (forwarding). DO (RFC 3225) and CD (RFC 4035 §3.2.2) are
// for DNSSEC: ask for signatures, and for data the server could not validate.
// Written by hand (header, question, OPT): the general encoder was a measurable share of a cold pass's CPU for
// what is a fixed layout. Names it cannot write plainly (escapes, non-ASCII, long labels) go through dns-packet.
import * as dnsPacket from 'dns-packet';
import { buildOpt, DO_BIT, OUR_UDP_SIZE } from './edns.js';
import { Flag } from './question.js';

export interface UpstreamFlags {
  recursionDesired?: boolean;
  dnssecOk?: boolean;
  checkingDisabled?: boolean;
}

/** The general encoder: the reference the hand-written one must match byte for byte. */
export function encodeUpstreamQueryGeneric(id: number, name: string, type: string, edns: boolean, flags: UpstreamFlags = {}): Buffer {
  const opt = buildOpt(0);
  if (flags.dnssecOk) opt.flags = DO_BIT;
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: (flags.recursionDesired ? Flag.RD : 0) | (flags.checkingDisabled ? Flag.CD : 0),
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals: edns ? [opt] : [],
  });
}

/** Type mnemonic → code, learnt from the general encoder once per type. */
const typeCodes = new Map<string, number>();
function typeCode(type: string): number {
  let code = typeCodes.get(type);
  if (code === undefined) {
    const wire = encodeUpstreamQueryGeneric(0, '.', type, false);
    code = wire.readUInt16BE(13);
    typeCodes.set(type, code);
  }
  return code;
}

/** Plain labels only: ASCII without a backslash, each 1-63 bytes. */
const PLAIN_NAME = /^(?:[\x21-\x2d\x2f-\x5b\x5d-\x7e]{1,63}\.)*[\x21-\x2d\x2f-\x5b\x5d-\x7e]{0,63}\.?$/;

export function buildUpstreamQuery(id: number, name: string, type: string, edns: boolean, flags: UpstreamFlags = {}): Buffer {
  const trimmed = name === '.' ? '' : name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length > 253 || !PLAIN_NAME.test(trimmed)) return encodeUpstreamQueryGeneric(id, name, type, edns, flags);
  const nameLength = trimmed.length === 0 ? 1 : trimmed.length + 2;
  const buf = Buffer.alloc(12 + nameLength + 4 + (edns ? 11 : 0));
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE((flags.recursionDesired ? Flag.RD : 0) | (flags.checkingDisabled ? Flag.CD : 0), 2);
  buf.writeUInt16BE(1, 4); // QDCOUNT
  if (edns) buf.writeUInt16BE(1, 10); // ARCOUNT
  let o = 12;
  if (trimmed.length > 0) {
    for (const label of trimmed.split('.')) {
      buf[o++] = label.length;
      o += buf.write(label, o, 'latin1');
    }
  }
  buf[o++] = 0;
  buf.writeUInt16BE(typeCode(type), o);
  buf.writeUInt16BE(1, o + 2); // class IN
  o += 4;
  if (edns) {
    // OPT (RFC 6891 §6.1.2): root owner, type 41, class = UDP size, TTL = extended RCODE 0, version 0, flags.
    buf[o] = 0;
    buf.writeUInt16BE(41, o + 1);
    buf.writeUInt16BE(OUR_UDP_SIZE, o + 3);
    buf.writeUInt16BE(0, o + 5);
    buf.writeUInt16BE(flags.dnssecOk ? DO_BIT : 0, o + 7);
    buf.writeUInt16BE(0, o + 9); // RDLENGTH
  }
  return buf;
}
