// dns-packet's per-type RDATA encoders and its name encoder, which @types/dns-packet does not describe. Both write
// names uncompressed and in the letter case they are given; canonical.ts lowers the case where RFC 4034 §6.2 says.
import * as dnsPacket from 'dns-packet';

interface RdataEncoder {
  /** RDATA prefixed by its 16-bit length, as dns-packet writes it. */
  encode(data: unknown): Buffer;
}

const codecs = dnsPacket as unknown as {
  record(type: string): RdataEncoder;
  name: { encode(name: string): Buffer };
};

/** The RDATA of a record in dns-packet's shape, without the length prefix. */
export function encodeRdata(type: string, data: unknown): Buffer {
  return codecs.record(type).encode(data).subarray(2);
}

/** A name as uncompressed wire labels, letter case as given. */
export function encodeName(name: string): Buffer {
  return codecs.name.encode(name);
}
