// Queries we send upstream: one question, EDNS0 with our UDP size. RD=0 when we iterate (RFC 1034 §5.3.3);
// RD=1 only towards a server that recurses for us (forwarding). DO (RFC 3225) and CD (RFC 4035 §3.2.2) are
// for DNSSEC: ask for signatures, and for data the server could not validate.
import * as dnsPacket from 'dns-packet';
import { buildOpt, DO_BIT } from './edns.js';
import { Flag } from './question.js';

export interface UpstreamFlags {
  recursionDesired?: boolean;
  dnssecOk?: boolean;
  checkingDisabled?: boolean;
}

export function buildUpstreamQuery(id: number, name: string, type: string, edns: boolean, flags: UpstreamFlags = {}): Buffer {
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
