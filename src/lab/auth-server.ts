// A lab authoritative server: the answerer's replies over UDP and TCP (RFC 7766 framing) on one loopback
// address, with UDP truncation (TC=1) by the client's size, and an optional override to make it misbehave.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { decodePacket, type WirePacket } from '../wire/decode.js';
import { frameMessage, StreamFramer } from '../wire/framing.js';
import { answerQuery, type Zone } from './answerer.js';

/** Return a packet to send instead, 'drop' to stay silent, or undefined for the normal answer. */
export type Override = (q: WirePacket) => Packet | 'drop' | undefined;

export interface AuthServer {
  address: string;
  port: number;
  /** Queries received, for counting. */
  readonly log: { name: string; type: string; tcp: boolean }[];
  override: Override | null;
  close(): Promise<void>;
}

function udpLimit(q: WirePacket): number {
  const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return opt ? Math.max(512, opt.udpPayloadSize ?? 512) : 512;
}

export async function startAuthServer(address: string, port: number, zones: Zone[]): Promise<AuthServer> {
  const udp = dgram.createSocket('udp4');
  const sockets = new Set<net.Socket>();
  const server: AuthServer = {
    address,
    port,
    log: [],
    override: null,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
  const respond = (bytes: Buffer, tcp: boolean): Buffer | null => {
    const d = decodePacket(bytes);
    if (!d.ok || (d.packet.flags ?? 0) & 0x8000) return null;
    const q = d.packet;
    server.log.push({ name: q.questions?.[0]?.name ?? '', type: q.questions?.[0]?.type ?? '', tcp });
    const custom = server.override?.(q);
    if (custom === 'drop') return null;
    const packet = custom ?? answerQuery(zones, q);
    const out = dnsPacket.encode({ ...packet, id: q.id ?? 0, questions: packet.questions ?? q.questions });
    if (tcp || out.length <= udpLimit(q)) return out;
    return dnsPacket.encode({ ...packet, id: q.id ?? 0, questions: q.questions, flags: (packet.flags ?? 0) | 0x0200, answers: [], authorities: [], additionals: [] });
  };
  udp.on('message', (msg, rinfo) => {
    const out = respond(msg, false);
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', () => undefined);
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      for (let msg = framer.next(); msg !== null; msg = framer.next()) {
        const out = respond(msg, true);
        if (out && !socket.destroyed) socket.write(frameMessage(out));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, address, () => resolve());
  });
  return server;
}
