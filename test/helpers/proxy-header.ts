// Building PROXY protocol v2 headers (haproxy proxy-protocol.txt §2.2) for tests, as dnsdist sends them.
import { isIPv4 } from 'node:net';
import { PROXY_V2_SIGNATURE } from '../../src/server/proxy-protocol.js';
import { v6ToBytes } from '../../src/util/cidr.js';

export interface HeaderSpec {
  /** PROXY (relayed client) or LOCAL (the proxy's own health check). */
  command?: 'proxy' | 'local';
  source?: { address: string; port: number };
  destination?: { address: string; port: number };
  /** 'dgram' for UDP (dnsdist over UDP), 'stream' for TCP. */
  transport?: 'stream' | 'dgram';
  /** Raw TLV bytes appended after the addresses. */
  tlvs?: Buffer;
}

const addressBytes = (a: string): Buffer => (isIPv4(a) ? Buffer.from(a.split('.').map(Number)) : Buffer.from(v6ToBytes(a)));

export function proxyHeader(o: HeaderSpec = {}): Buffer {
  const source = o.source ?? { address: '192.0.2.1', port: 40000 };
  const destination = o.destination ?? { address: isIPv4(source.address) ? '127.0.0.1' : '::1', port: 53 };
  const v4 = isIPv4(source.address);
  const local = o.command === 'local';
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(source.port, 0);
  ports.writeUInt16BE(destination.port, 2);
  const addresses = local ? Buffer.alloc(0) : Buffer.concat([addressBytes(source.address), addressBytes(destination.address), ports]);
  const body = Buffer.concat([addresses, o.tlvs ?? Buffer.alloc(0)]);
  const fixed = Buffer.alloc(4);
  fixed[0] = 0x20 | (local ? 0 : 1);
  fixed[1] = local ? 0x00 : ((v4 ? 0x1 : 0x2) << 4) | (o.transport === 'stream' ? 0x1 : 0x2);
  fixed.writeUInt16BE(body.length, 2);
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, body]);
}

/** One TLV: type, 16-bit length, value (§2.2.x). */
export function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}
