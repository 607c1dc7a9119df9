// Decoding whole packets with dns-packet, as a value: malformed input is a result, never a throw.
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';

/** dns-packet's decode result; its typings omit `rcode` and `opcode`, which it does provide. */
export type WirePacket = DecodedPacket & { rcode?: string; opcode?: string };

export type DecodeResult = { ok: true; packet: WirePacket } | { ok: false; reason: string };

export function decodePacket(bytes: Uint8Array): DecodeResult {
  try {
    const packet = dnsPacket.decode(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)) as WirePacket;
    return { ok: true, packet };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
