// Real authoritative servers for integration tests: a scripted Handler served over UDP and TCP on a 127.x
// address. Supports replies from the wrong source port (spoof tests) and delays.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { decodePacket } from '../../src/wire/decode.js';
import { frameMessage, StreamFramer } from '../../src/wire/framing.js';
import type { Handler, Reply } from './fake-net.js';

export interface LoopbackServer {
  address: string;
  port: number;
  queries: { name: string; type: string; tcp: boolean }[];
  /** Replace the behaviour at run time. */
  handler: Handler;
  /** Send UDP replies from another socket (another source port), as a spoofer would. */
  spoofSourcePort: boolean;
  /** Send UDP replies from another loopback address, as a spoofer would. */
  spoofSourceAddress: boolean;
  /** Delay before answering, ms. */
  delayMs: number;
  close(): Promise<void>;
}

function encodeReply(reply: Exclude<Reply, 'drop' | 'neterror'>, query: ReturnType<typeof dnsPacket.decode>): Buffer {
  if (Buffer.isBuffer(reply)) return reply;
  return dnsPacket.encode({ ...reply, id: reply.id ?? query.id, questions: reply.questions ?? query.questions });
}

export async function serveOnLoopback(address: string, port: number, handler: Handler): Promise<LoopbackServer> {
  const udp = dgram.createSocket('udp4');
  const spoofer = dgram.createSocket('udp4');
  const otherAddress = dgram.createSocket('udp4');
  const sockets = new Set<net.Socket>();
  const server: LoopbackServer = {
    address,
    port,
    queries: [],
    handler,
    spoofSourcePort: false,
    spoofSourceAddress: false,
    delayMs: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => spoofer.close(() => r())),
        new Promise<void>((r) => otherAddress.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
  const answer = async (bytes: Buffer, tcpFlag: boolean): Promise<Buffer | null> => {
    const d = decodePacket(bytes);
    if (!d.ok) return null;
    const q = d.packet.questions?.[0];
    server.queries.push({ name: q?.name ?? '', type: q?.type ?? '', tcp: tcpFlag });
    if (server.delayMs > 0) await new Promise((r) => setTimeout(r, server.delayMs));
    const reply = await server.handler(d.packet, { tcp: tcpFlag, timeoutMs: 0 });
    if (reply === 'drop' || reply === 'neterror') return null;
    return encodeReply(reply, d.packet);
  };
  udp.on('message', (msg, rinfo) => {
    void answer(msg, false).then((out) => {
      if (out) (server.spoofSourceAddress ? otherAddress : server.spoofSourcePort ? spoofer : udp).send(out, rinfo.port, rinfo.address);
    });
  });
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      for (let msg = framer.next(); msg !== null; msg = framer.next()) {
        void answer(msg, true).then((out) => {
          if (out && !socket.destroyed) socket.write(frameMessage(out));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => resolve());
  });
  await new Promise<void>((resolve) => spoofer.bind(0, address, () => resolve()));
  // Same port, another address in 127/8 (the last octet flipped): a reply "from the wrong server".
  const parts = address.split('.');
  const other = `${parts[0]}.${parts[1]}.${parts[2]}.${(Number(parts[3]) + 100) % 250}`;
  await new Promise<void>((resolve) => otherAddress.bind(0, other, () => resolve()));
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, address, () => resolve());
  });
  return server;
}

/** A port free on the given loopback addresses for both UDP and TCP (tries a few random high ports). */
export async function freePortOn(addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(
      addresses.map(
        (a) =>
          new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once('error', () => resolve(false));
            s.listen(port, a, () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return port;
  }
  throw new Error('no free port found');
}
