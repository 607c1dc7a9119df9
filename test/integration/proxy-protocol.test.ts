// PROXY protocol v2 on the real listeners (no dnsdist needed): a server with `proxy-protocol-from` naming one
// loopback "load balancer" address and `allow` naming one relayed client. Through UDP and TCP, the address in
// the header is the client for the ACL and the query log; LOCAL is the balancer itself; missing, garbage,
// truncated, oversized and unlisted-source headers get nothing and are counted, and the server keeps serving.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROOT_HINTS } from '../../src/cli/common.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { MAX_PROXY_HEADER } from '../../src/server/proxy-protocol.js';
import { decodePacket } from '../../src/wire/decode.js';
import { buildQuery } from '../helpers/client.js';
import { proxyHeader, tlv } from '../helpers/proxy-header.js';

const SERVER = '127.118.0.1';
const BALANCER = '127.118.0.10';
const OTHER = '127.118.0.20'; // allowed, but not a balancer
const CLIENT = '198.51.100.7'; // the relayed client named in allow
const STRANGER = '198.51.100.8'; // a relayed client outside allow
const NAME = 'nas.home.arpa';

let server: RunningServer;
let port = 0;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (l: string) => logLines.push(JSON.parse(l) as Record<string, unknown>) });
  server = await startServer(
    { ...DEFAULTS, rootHints: DEFAULT_ROOT_HINTS, listen: [`${SERVER}:0`], proxyProtocolFrom: [`${BALANCER}/32`], allow: [`${CLIENT}/32`, `${BALANCER}/32`, `${OTHER}/32`], localData: [`${NAME}. 300 A 192.168.1.10`], queryLog: true, controlSocket: '' },
    { logger },
  );
  port = Number(server.addresses[0]!.split(':').pop());
});

afterAll(async () => {
  await server?.close();
});

type Reply = { rcode: string; id: number } | null;
const decode = (m: Buffer | null): Reply => {
  if (m === null) return null;
  const d = decodePacket(m);
  return d.ok ? { rcode: d.packet.rcode ?? '', id: d.packet.id ?? -1 } : null;
};

/** One datagram from `from`, the reply or null after 600 ms. */
function udpFrom(from: string, bytes: Buffer): Promise<Reply> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(null); }, 600);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(decode(m)); });
    s.bind({ address: from, port: 0 }, () => s.send(bytes, port, SERVER));
  });
}

const framed = (q: Buffer): Buffer => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);

/** A TCP connection from `from` that writes `chunks` one by one; the replies seen until it closes or 800 ms pass. */
function tcpFrom(from: string, chunks: Buffer[]): Promise<{ replies: Reply[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: SERVER, port, localAddress: from });
    let buf = Buffer.alloc(0);
    const replies: Reply[] = [];
    let closedByServer = false;
    const done = (): void => { clearTimeout(timer); s.destroy(); resolve({ replies, closedByServer }); };
    const timer = setTimeout(done, 800);
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    s.on('end', () => { closedByServer = true; done(); });
    s.on('error', () => { closedByServer = true; done(); });
  });
}

const q = (id: number): Buffer => buildQuery(NAME, 'A', { id });
const relayed = (client: string, id: number, transport: 'dgram' | 'stream' = 'dgram'): Buffer =>
  Buffer.concat([proxyHeader({ source: { address: client, port: 40000 + id }, transport }), transport === 'dgram' ? q(id) : framed(q(id))]);

describe('PROXY v2 over UDP', () => {
  it('judges the relayed client: the allowed one is answered, another REFUSED; the query log names them', async () => {
    expect(await udpFrom(BALANCER, relayed(CLIENT, 1))).toEqual({ rcode: 'NOERROR', id: 1 });
    expect(await udpFrom(BALANCER, relayed(STRANGER, 2))).toEqual({ rcode: 'REFUSED', id: 2 });
    const clients = logLines.filter((l) => l.event === 'query').map((l) => l.client);
    expect(clients).toEqual(expect.arrayContaining([CLIENT, STRANGER]));
    expect(clients).not.toContain(BALANCER);
  });

  it('answers LOCAL (a health check) as the balancer itself', async () => {
    expect(await udpFrom(BALANCER, Buffer.concat([proxyHeader({ command: 'local' }), q(3)]))).toEqual({ rcode: 'NOERROR', id: 3 });
  });

  it('drops and counts a missing, garbage, truncated, oversized or unlisted header, and keeps serving', async () => {
    const c = server.core.shared.counters;
    const before = { ...c };
    // The signature, then version 2 PROXY for an address family that does not exist (5).
    const garbage = Buffer.concat([proxyHeader().subarray(0, 12), Buffer.from([0x21, 0x52, 0x00, 0x0c]), Buffer.alloc(12, 0xee), q(5)]);
    const oversized = Buffer.concat([proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(MAX_PROXY_HEADER)) }), q(7)]);
    const unlisted = relayed(CLIENT, 8);
    expect(await udpFrom(BALANCER, q(4))).toBeNull();
    expect(await udpFrom(BALANCER, garbage)).toBeNull();
    expect(await udpFrom(BALANCER, relayed(CLIENT, 6).subarray(0, 20))).toBeNull();
    expect(await udpFrom(BALANCER, oversized)).toBeNull();
    expect(await udpFrom(OTHER, unlisted)).toBeNull();
    expect(c.proxyHeaderMissing - before.proxyHeaderMissing).toBe(1);
    expect(c.proxyHeaderInvalid - before.proxyHeaderInvalid).toBe(2);
    expect(c.proxyHeaderOversized - before.proxyHeaderOversized).toBe(1);
    expect(c.proxyHeaderUnlisted - before.proxyHeaderUnlisted).toBe(1);
    expect(logLines.some((l) => l.event === 'proxy_header_rejected')).toBe(true);
    // A plain query from a source that is no balancer is served as before; the balancer's relays still work.
    expect(await udpFrom(OTHER, q(9))).toEqual({ rcode: 'NOERROR', id: 9 });
    expect(await udpFrom(BALANCER, relayed(CLIENT, 10))).toEqual({ rcode: 'NOERROR', id: 10 });
  });
});

describe('PROXY v2 over TCP', () => {
  it('reads the header once per connection, split over writes, then answers every query for the relayed client', async () => {
    const h = proxyHeader({ source: { address: CLIENT, port: 5000 }, transport: 'stream' });
    const r = await tcpFrom(BALANCER, [h.subarray(0, 5), Buffer.concat([h.subarray(5), framed(q(11))]), framed(q(12))]);
    expect(r.replies).toEqual([{ rcode: 'NOERROR', id: 11 }, { rcode: 'NOERROR', id: 12 }]);
    const refused = await tcpFrom(BALANCER, [relayed(STRANGER, 13, 'stream')]);
    expect(refused.replies).toEqual([{ rcode: 'REFUSED', id: 13 }]);
  });

  it('closes without an answer: no header from the balancer, an oversized one, a header from elsewhere', async () => {
    const before = { ...server.core.shared.counters };
    for (const r of [
      await tcpFrom(BALANCER, [framed(q(14))]),
      await tcpFrom(BALANCER, [proxyHeader({ tlvs: tlv(0xe0, Buffer.alloc(MAX_PROXY_HEADER)), transport: 'stream' })]),
      await tcpFrom(OTHER, [relayed(CLIENT, 15, 'stream')]),
    ]) {
      expect(r).toEqual({ replies: [], closedByServer: true });
    }
    const c = server.core.shared.counters;
    expect([c.proxyHeaderMissing - before.proxyHeaderMissing, c.proxyHeaderOversized - before.proxyHeaderOversized, c.proxyHeaderUnlisted - before.proxyHeaderUnlisted]).toEqual([1, 1, 1]);
    // Plain TCP from elsewhere still works.
    expect((await tcpFrom(OTHER, [framed(q(16))])).replies).toEqual([{ rcode: 'NOERROR', id: 16 }]);
  });
});
