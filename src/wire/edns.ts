// EDNS0 (RFC 6891): reading the client's OPT record and writing ours, with Extended DNS Errors (RFC 8914).
import type { OptAnswer, Packet } from 'dns-packet';

/** The UDP payload size we advertise and the most we send over UDP (DNS Flag Day 2020). */
export const OUR_UDP_SIZE = 1232;
/** RFC 1035 §4.2.1: the UDP limit without EDNS. */
export const CLASSIC_UDP_SIZE = 512;
/** RFC 6891 §6.1.3 DO bit in the OPT flags. */
export const DO_BIT = 0x8000;
/** RFC 8914 §4: the EDE option code. */
export const EDE_OPTION = 15;

export interface ClientEdns {
  present: boolean;
  version: number;
  udpSize: number;
  dnssecOk: boolean;
}

export const NO_EDNS: ClientEdns = { present: false, version: 0, udpSize: CLASSIC_UDP_SIZE, dnssecOk: false };

type OptLike = { type: string; udpPayloadSize?: number; ednsVersion?: number; flags?: number };

/** The client's EDNS state from its additional section (the first OPT counts). */
export function readClientEdns(packet: Packet): ClientEdns {
  const opt = (packet.additionals ?? []).find((r) => (r as OptLike).type === 'OPT') as OptLike | undefined;
  if (!opt) return NO_EDNS;
  return {
    present: true,
    version: opt.ednsVersion ?? 0,
    // RFC 6891 §6.2.5: values below 512 are treated as 512.
    udpSize: Math.max(CLASSIC_UDP_SIZE, opt.udpPayloadSize ?? CLASSIC_UDP_SIZE),
    dnssecOk: ((opt.flags ?? 0) & DO_BIT) !== 0,
  };
}

/** The most bytes a UDP answer to this client may have. */
export function udpLimit(edns: ClientEdns): number {
  return edns.present ? Math.min(edns.udpSize, OUR_UDP_SIZE) : CLASSIC_UDP_SIZE;
}

export interface ExtendedError {
  /** RFC 8914 §5 info-code, e.g. 22 No Reachable Authority. */
  code: number;
  text: string;
}

/** Our OPT record: 1232 bytes, optional extended rcode (upper 8 bits) and EDE. */
export function buildOpt(extendedRcode: number, ede?: ExtendedError, dnssecOk = false): OptAnswer {
  const options: OptAnswer['options'] = [];
  if (ede) {
    const text = Buffer.from(ede.text.slice(0, 400), 'utf8');
    const data = Buffer.alloc(2 + text.length);
    data.writeUInt16BE(ede.code, 0);
    text.copy(data, 2);
    options.push({ code: EDE_OPTION, data } as unknown as OptAnswer['options'][number]); // typings lack code 15
  }
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: OUR_UDP_SIZE,
    extendedRcode,
    ednsVersion: 0,
    // RFC 3225 §3: the DO bit of the query is copied into the response.
    flags: dnssecOk ? DO_BIT : 0,
    flag_do: dnssecOk,
    options,
  };
}
