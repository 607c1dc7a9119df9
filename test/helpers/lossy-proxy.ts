// A loss-and-delay proxy for integration tests: a UDP and TCP forwarder on one 127.x address in front of one
// loopback authoritative server (loopback-auth.ts), as a home connection would put it: each UDP datagram is
// dropped with a given probability in each direction (a seeded PRNG, so a run can be repeated) and delayed one
// way by the server's role. TCP is forwarded whole and delayed, never dropped (it retransmits by itself).
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { SeededRandom } from '../../src/util/random.js';

export interface LossyProxyOptions {
  /** Share of datagrams dropped in each direction, 0…1. */
  loss: number;
  /** One-way delay, ms, and up to this much more or less at random. */
  delayMs: number;
  jitterMs?: number;
  seed: number;
}

export interface LossyProxyStats {
  toServer: number;
  droppedToServer: number;
  toClient: number;
  droppedToClient: number;
  tcpConnections: number;
}

export interface LossyProxy {
  address: string;
  port: number;
  stats: LossyProxyStats;
  close(): Promise<void>;
}

interface Endpoint {
  address: string;
  port: number;
}

export async function lossyProxy(listen: Endpoint, backend: Endpoint, o: LossyProxyOptions): Promise<LossyProxy> {
  const random = new SeededRandom(o.seed);
  const chance = (): number => random.below(1_000_000) / 1_000_000;
  const delay = (): number => Math.max(0, o.delayMs + (o.jitterMs ? (chance() * 2 - 1) * o.jitterMs : 0));
  const stats: LossyProxyStats = { toServer: 0, droppedToServer: 0, toClient: 0, droppedToClient: 0, tcpConnections: 0 };
  const front = dgram.createSocket('udp4');
  /** One socket towards the server per client address and port, so replies find their way back. */
  const towardServer = new Map<string, dgram.Socket>();
  const streams = new Set<net.Socket>();
  let closed = false;

  const later = (fn: () => void): void => void setTimeout(() => closed || fn(), delay());

  const socketFor = (client: dgram.RemoteInfo): dgram.Socket => {
    const key = `${client.address}|${client.port}`;
    let s = towardServer.get(key);
    if (s) return s;
    s = dgram.createSocket('udp4');
    s.on('message', (msg) => {
      stats.toClient++;
      if (chance() < o.loss) {
        stats.droppedToClient++;
        return;
      }
      later(() => front.send(msg, client.port, client.address));
    });
    s.on('error', () => undefined);
    s.bind(0, listen.address);
    towardServer.set(key, s);
    return s;
  };

  front.on('message', (msg, client) => {
    stats.toServer++;
    if (chance() < o.loss) {
      stats.droppedToServer++;
      return;
    }
    const s = socketFor(client);
    later(() => s.send(msg, backend.port, backend.address));
  });
  front.on('error', () => undefined);

  const tcp = net.createServer((client) => {
    stats.tcpConnections++;
    streams.add(client);
    // One delay per connection keeps the byte stream in order.
    const wait = delay();
    const upstream = net.connect({ host: backend.address, port: backend.port });
    streams.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      streams.delete(client);
      streams.delete(upstream);
    };
    client.on('data', (chunk) => void setTimeout(() => upstream.destroyed || upstream.write(chunk), wait));
    upstream.on('data', (chunk) => void setTimeout(() => client.destroyed || client.write(chunk), wait));
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  });

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(listen.port, listen.address, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(listen.port, listen.address, () => resolve());
  });

  return {
    ...listen,
    stats,
    close: async () => {
      closed = true;
      for (const s of streams) s.destroy();
      for (const s of towardServer.values()) s.close();
      await Promise.all([new Promise<void>((r) => front.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}
