// Queries we send upstream: RD=0 (we iterate, RFC 1034 §5.3.3), one question, EDNS0 with our UDP size.
import * as dnsPacket from 'dns-packet';
import { buildOpt } from './edns.js';

export function buildUpstreamQuery(id: number, name: string, type: string, edns: boolean): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: 0,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals: edns ? [buildOpt(0)] : [],
  });
}
