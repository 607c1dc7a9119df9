// A stub client for tests: one query over UDP or TCP to a server on loopback, decoded reply back.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { decodePacket, type WirePacket } from '../../src/wire/decode.js';
import { EDE_OPTION } from '../../src/wire/edns.js';

export interface AskOptions {
  tcp?: boolean;
  edns?: boolean | number;
  id?: number;
  timeoutMs?: number;
  rd?: boolean;
  /** DNSSEC OK in the OPT record (RFC 3225); implies EDNS. */
  dnssecOk?: boolean;
  /** AD=1 in the query: the client understands AD (RFC 6840 §5.7). */
  ad?: boolean;
  /** CD=1: checking disabled (RFC 4035 §3.2.2). */
  cd?: boolean;
}

export function buildQuery(name: string, type: string, o: AskOptions = {}): Buffer {
  const edns = o.edns === undefined || o.edns === false ? (o.dnssecOk ? 1232 : null) : o.edns === true ? 1232 : o.edns;
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? Math.floor(Math.random() * 65536),
    flags: (o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED) | (o.ad ? dnsPacket.AUTHENTIC_DATA : 0) | (o.cd ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: o.dnssecOk ? 0x8000 : 0, flag_do: o.dnssecOk === true, options: [] } as dnsPacket.Answer] : [],
  });
}

export function sendRaw(address: string, port: number, bytes: Buffer, o: { tcp?: boolean; timeoutMs?: number } = {}): Promise<Buffer | null> {
  const timeoutMs = o.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    if (o.tcp) {
      const s = net.connect({ host: address, port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => { s.destroy(); resolve(null); }, timeoutMs);
      s.on('connect', () => { const l = Buffer.alloc(2); l.writeUInt16BE(bytes.length); s.write(Buffer.concat([l, bytes])); });
      s.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      s.on('error', () => { clearTimeout(timer); resolve(null); });
      return;
    }
    const s = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { s.close(); resolve(null); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(bytes, port, address);
  });
}

export async function ask(address: string, port: number, name: string, type = 'A', o: AskOptions = {}): Promise<WirePacket> {
  const out = await sendRaw(address, port, buildQuery(name, type, o), { ...(o.tcp !== undefined ? { tcp: o.tcp } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  if (!out) throw new Error(`no reply from ${address}:${port} for ${name} ${type}`);
  const d = decodePacket(out);
  if (!d.ok) throw new Error(`undecodable reply: ${d.reason}`);
  return d.packet;
}

export const datas = (p: WirePacket): string[] => (p.answers ?? []).map((a) => String((a as { data: unknown }).data));

/** The RFC 8914 Extended DNS Error of a reply (the first one), or null. */
export function edeOf(p: WirePacket): { code: number; text: string } | null {
  const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as { options?: { code: number; data: Buffer }[] } | undefined;
  const o = opt?.options?.find((x) => x.code === EDE_OPTION);
  return o ? { code: o.data.readUInt16BE(0), text: o.data.subarray(2).toString() } : null;
}
