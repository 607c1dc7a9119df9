// The PROXY protocol version 2 header (haproxy's proxy-protocol.txt, §2.2), which a load balancer such as dnsdist
// (`useProxyProtocol=true`) puts in front of every UDP datagram and at the start of every TCP connection to say
// who the real client is. Parsing only: who may send one, and what happens to a bad one, is proxy-gate.ts's job.

/** The 12-byte signature every v2 header starts with (§2.2): "\r\n\r\n\0\r\nQUIT\n". */
export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** Signature, version/command, family/transport, length (§2.2). */
const FIXED_LEN = 16;

/**
 * The largest whole header accepted (addresses and TLVs included): PowerDNS Recursor's and dnsdist's default
 * (proxy-protocol-maximum-size, 512). dnsdist itself sends 28 bytes for IPv4 and 52 for IPv6 without TLVs.
 */
export const MAX_PROXY_HEADER = 512;

/** Address block lengths by family (§2.2): AF_INET 4+4+2+2, AF_INET6 16+16+2+2, AF_UNIX 108+108. */
const ADDRESS_LEN: Record<number, number> = { 0x0: 0, 0x1: 12, 0x2: 36, 0x3: 216 };

export type ProxyHeader =
  /** PROXY: a relayed client; `length` bytes of header precede the DNS message. */
  | { kind: 'proxy'; length: number; source: { address: string; port: number } }
  /** LOCAL: the proxy speaks for itself (health checks); the real peer address stands. */
  | { kind: 'local'; length: number }
  /** A stream that may still complete the header: read more. (A datagram that ends here is truncated.) */
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: 'signature' | 'version' | 'command' | 'family' | 'truncated' | 'oversized' | 'tlv' };

/** Whether `bytes` begin with the whole v2 signature. */
export function startsWithProxySignature(bytes: Buffer): boolean {
  return bytes.length >= PROXY_V2_SIGNATURE.length && bytes.compare(PROXY_V2_SIGNATURE, 0, PROXY_V2_SIGNATURE.length, 0, PROXY_V2_SIGNATURE.length) === 0;
}

/** 16 address bytes as RFC 5952 text (the longest run of two or more zero groups as "::"), as Node reports peers. */
function ipv6Text(b: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(at + i));
  let best = { start: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.len))}`;
}

/**
 * Reads a v2 header at the start of `bytes`. A prefix of a valid header is 'incomplete' (a stream waits for
 * more, a datagram treats it as truncated); anything else that is not a whole, well-formed header is 'invalid'.
 */
export function parseProxyHeader(bytes: Buffer, maxLength = MAX_PROXY_HEADER): ProxyHeader {
  const sigLen = Math.min(bytes.length, PROXY_V2_SIGNATURE.length);
  if (bytes.compare(PROXY_V2_SIGNATURE, 0, sigLen, 0, sigLen) !== 0) return { kind: 'invalid', reason: 'signature' };
  if (bytes.length < FIXED_LEN) return { kind: 'incomplete' };
  const verCmd = bytes[12]!;
  if (verCmd >> 4 !== 2) return { kind: 'invalid', reason: 'version' };
  const command = verCmd & 0x0f;
  if (command > 1) return { kind: 'invalid', reason: 'command' };
  const famProto = bytes[13]!;
  const family = famProto >> 4;
  const addressLen = ADDRESS_LEN[family];
  if (addressLen === undefined || (famProto & 0x0f) > 2) return { kind: 'invalid', reason: 'family' };
  // PROXY over UNSPEC or UNIX names no IP client an ACL could judge: the spec lets the receiver reject it.
  if (command === 1 && family !== 0x1 && family !== 0x2) return { kind: 'invalid', reason: 'family' };
  const length = FIXED_LEN + bytes.readUInt16BE(14);
  if (length > maxLength) return { kind: 'invalid', reason: 'oversized' };
  if (length - FIXED_LEN < addressLen) return { kind: 'invalid', reason: 'truncated' };
  if (bytes.length < length) return { kind: 'incomplete' };
  // TLVs (§2.2.x): type, 16-bit length, value, back to back up to the end; none may run past it.
  for (let at = FIXED_LEN + addressLen; at < length; ) {
    if (at + 3 > length) return { kind: 'invalid', reason: 'tlv' };
    at += 3 + bytes.readUInt16BE(at + 1);
    if (at > length) return { kind: 'invalid', reason: 'tlv' };
  }
  // LOCAL: "the receiver must accept this connection as valid and must use the real connection endpoints".
  if (command === 0) return { kind: 'local', length };
  if (family === 0x1) {
    const a = `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}`;
    return { kind: 'proxy', length, source: { address: a, port: bytes.readUInt16BE(24) } };
  }
  return { kind: 'proxy', length, source: { address: ipv6Text(bytes, 16), port: bytes.readUInt16BE(48) } };
}
