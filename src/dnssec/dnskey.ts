// DNSKEY RDATA (RFC 4034 §2.1) as bytes, and its flag bits. dns-packet's own ZONE_KEY/SECURE_ENTRYPOINT constants
// are bit-reversed (0x80, 0x8000), so the flags are named here from the RFC's bit numbers.
import type { DnskeyData } from 'dns-packet';
import { encodeRdata } from './wire-codec.js';

/** RFC 4034 §2.1.1 (bit 7 Zone Key, bit 15 SEP) and RFC 5011 §2.1 (bit 8 REVOKE); bit 0 is the high bit. */
export const DNSKEY_FLAGS = {
  ZONE: 0x0100,
  REVOKE: 0x0080,
  SEP: 0x0001,
} as const;

/** Flags | Protocol (always 3, RFC 4034 §2.1.2) | Algorithm | Public Key: what key tags and DS digests cover. */
export function dnskeyRdata(key: DnskeyData): Buffer {
  return encodeRdata('DNSKEY', key);
}

/** RFC 4034 §2.1.1 and RFC 4035 §5.3.1: only a key with the Zone Key bit may verify an RRSIG or match a DS. */
export function isZoneKey(key: DnskeyData): boolean {
  return (key.flags & DNSKEY_FLAGS.ZONE) !== 0;
}
