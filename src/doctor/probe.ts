// One doctor probe: a query of our own making (RD, EDNS buffer size, DO as the check needs) to one address over
// UDP or TCP, through the same transport the resolver uses, and the decoded reply with its size and RTT.
import * as dnsPacket from 'dns-packet';
import type { Transport } from '../upstream/transport.js';
import { decodePacket, type WirePacket } from '../wire/decode.js';
import { DO_BIT } from '../wire/edns.js';

export interface ProbeQuery {
  name: string;
  type: string;
  /** EDNS buffer size; 0 = no EDNS at all. */
  ednsSize: number;
  dnssecOk?: boolean;
  recursionDesired?: boolean;
  /** Class CHAOS (version.bind) instead of IN. */
  chaos?: boolean;
  tcp: boolean;
}

export type ProbeResult = { ok: true; packet: WirePacket; bytes: number; rttMs: number } | { ok: false; why: string };

export async function probe(transport: Transport, address: string, port: number, q: ProbeQuery, timeoutMs: number): Promise<ProbeResult> {
  const opt = { type: 'OPT', name: '.', udpPayloadSize: q.ednsSize, flags: q.dnssecOk ? DO_BIT : 0, options: [] } as unknown as dnsPacket.Answer;
  const wire = dnsPacket.encode({
    type: 'query',
    id: Math.floor(Math.random() * 0xffff),
    flags: q.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: q.name, type: q.type as dnsPacket.RecordType, class: q.chaos ? 'CH' : 'IN' }],
    additionals: q.ednsSize > 0 ? [opt] : [],
  });
  const r = await transport.query({ address, port }, wire, { tcp: q.tcp, timeoutMs });
  if (r.kind === 'timeout') return { ok: false, why: 'timeout' };
  if (r.kind === 'neterror') return { ok: false, why: r.error };
  if (r.kind !== 'reply') return { ok: false, why: r.kind };
  const d = decodePacket(r.bytes);
  if (!d.ok) return { ok: false, why: `undecodable reply: ${d.reason}` };
  return { ok: true, packet: d.packet, bytes: r.bytes.length, rttMs: r.rttMs };
}

export const hasOpt = (p: WirePacket): boolean => (p.additionals ?? []).some((r) => (r as { type: string }).type === 'OPT');
export const isTruncated = (p: WirePacket): boolean => ((p.flags ?? 0) & 0x0200) !== 0;
