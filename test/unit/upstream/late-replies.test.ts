// Late replies (issue 18): a UDP try that timed out keeps listening for the rest of the zone query. On loopback
// the pool hands a slow but matching reply to the late listener with the RTT of the try it answers; the exchange
// takes such a reply as the answer, during the next try to that server or before sending one.
import * as dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Exchanger, type ExchangeHooks, type TryReport } from '../../../src/upstream/exchange.js';
import { LateReplies } from '../../../src/upstream/late-replies.js';
import type { LateReply, QueryOptions, Transport, TransportResult } from '../../../src/upstream/transport.js';
import { UdpPool } from '../../../src/upstream/udp-pool.js';
import { SeededRandom } from '../../../src/util/random.js';
import { buildUpstreamQuery } from '../../../src/wire/upstream-query.js';
import { serverKey, type ServerAddr } from '../../../src/wire/types.js';

const LOOPBACK = '127.8.0.2';

function replyTo(query: Buffer): Buffer {
  const out = Buffer.from(query);
  out[2] = out[2]! | 0x80;
  return out;
}

describe('UdpPool late listening', () => {
  const opened: dgram.Socket[] = [];
  const pool = new UdpPool(new SeededRandom(11));
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  afterAll(() => pool.closeAll());
  /** A server that answers every query after `delayMs`, optionally with the ID changed. */
  const slowServer = async (delayMs: number, idOffset = 0): Promise<number> => {
    const s = dgram.createSocket('udp4');
    opened.push(s);
    s.on('message', (q, r) => {
      const out = replyTo(q);
      out.writeUInt16BE((q.readUInt16BE(0) + idOffset) & 0xffff, 0);
      setTimeout(() => s.send(out, r.port, r.address), delayMs);
    });
    await new Promise<void>((ok) => s.bind(0, LOOPBACK, ok));
    return s.address().port;
  };
  const lateOf = (controller: AbortController): { got: LateReply[]; late: QueryOptions['late'] } => {
    const got: LateReply[] = [];
    return { got, late: { signal: controller.signal, onLate: (r) => got.push(r) } };
  };
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('reports the timeout, then hands the slow reply to the late listener with the RTT since its send', async () => {
    const port = await slowServer(150);
    const controller = new AbortController();
    const { got, late } = lateOf(controller);
    const wire = buildUpstreamQuery(5001, 'slow.example', 'A', true);
    const r = await pool.query({ address: LOOPBACK, port }, wire, { tcp: false, timeoutMs: 40, late });
    expect(r.kind).toBe('timeout');
    await settle(250);
    expect(got).toHaveLength(1);
    expect(got[0]!.bytes.readUInt16BE(0)).toBe(5001);
    expect(got[0]!.rttMs).toBeGreaterThanOrEqual(140);
    controller.abort();
  });

  it('still matches late replies by ID: another ID is ignored', async () => {
    const port = await slowServer(80, 1);
    const controller = new AbortController();
    const { got, late } = lateOf(controller);
    const r = await pool.query({ address: LOOPBACK, port }, buildUpstreamQuery(5002, 'slow.example', 'A', true), { tcp: false, timeoutMs: 30, late });
    expect(r.kind).toBe('timeout');
    await settle(200);
    expect(got).toEqual([]);
    controller.abort();
  });

  it('stops listening when the signal aborts (the zone query is over)', async () => {
    const port = await slowServer(150);
    const controller = new AbortController();
    const { got, late } = lateOf(controller);
    const r = await pool.query({ address: LOOPBACK, port }, buildUpstreamQuery(5003, 'slow.example', 'A', true), { tcp: false, timeoutMs: 30, late });
    expect(r.kind).toBe('timeout');
    controller.abort();
    await settle(250);
    expect(got).toEqual([]);
  });
});

const SERVER: ServerAddr = { address: '127.0.0.1', port: 53 };

/** Scripted sends: each gets the next reaction, which may answer late through the try's listener. */
class LateTransport implements Transport {
  readonly sent: { packet: dnsPacket.Packet; options: QueryOptions }[] = [];
  constructor(private readonly reactions: ((wire: Buffer, o: QueryOptions) => Promise<TransportResult>)[]) {}
  query(_to: ServerAddr, wire: Buffer, options: QueryOptions): Promise<TransportResult> {
    this.sent.push({ packet: dnsPacket.decode(wire), options });
    return this.reactions.shift()!(wire, options);
  }
}

function answerTo(wire: Buffer, ip: string): Buffer {
  const q = dnsPacket.decode(wire);
  return dnsPacket.encode({ type: 'response', id: q.id, flags: 0, questions: q.questions, answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 60, data: ip }] });
}

/** Times out now and answers 60 ms later, as if the reply had taken timeout + 60 ms. */
const lateBy60 = (ip: string) => (wire: Buffer, o: QueryOptions): Promise<TransportResult> => {
  setTimeout(() => o.late?.onLate({ bytes: answerTo(wire, ip), rttMs: o.timeoutMs + 60 }), 5);
  return Promise.resolve({ kind: 'timeout' });
};
const never = (): Promise<TransportResult> => new Promise(() => undefined);

function hooks(): ExchangeHooks & { reports: TryReport[] } {
  const h = { reports: [] as TryReport[], beforeSend: () => 300, afterSend: () => undefined, onTry: (r: TryReport) => void h.reports.push(r) };
  return h;
}

describe('Exchanger with late replies', () => {
  const q = { name: 'www.example.com', type: 'A' };
  const profile = { edns: true, randomCase: true };

  it('takes a late reply to the first try while the second is outstanding, as an RTT sample of the first', async () => {
    const t = new LateTransport([lateBy60('192.0.2.1'), never]);
    const late = new LateReplies();
    const ex = new Exchanger(t, new SeededRandom(3));
    const first = await ex.exchange(SERVER, q, profile, hooks(), {}, late);
    expect(first).toEqual({ kind: 'timeout' });
    const h = hooks();
    const second = await ex.exchange(SERVER, q, profile, h, {}, late);
    expect(second.kind).toBe('reply');
    if (second.kind !== 'reply') return;
    expect(second.rttMs).toBe(360);
    // Read with the first try's 0x20 case, given back as asked.
    expect(second.packet.questions?.[0]?.name).toBe('www.example.com');
    expect(second.packet.answers?.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.1']);
    expect(h.reports).toEqual([{ kind: 'reply', tcp: false, rttMs: 360 }]);
    expect(t.sent).toHaveLength(2);
    expect(t.sent[0]!.packet.id).not.toBe(t.sent[1]!.packet.id);
    late.close();
  });

  it('a late reply that came between exchanges answers the next one without a new send', async () => {
    const t = new LateTransport([lateBy60('192.0.2.2')]);
    const late = new LateReplies();
    const ex = new Exchanger(t, new SeededRandom(4));
    expect(await ex.exchange(SERVER, q, profile, hooks(), {}, late)).toEqual({ kind: 'timeout' });
    await new Promise((r) => setTimeout(r, 20));
    const r = await ex.exchange(SERVER, q, profile, hooks(), {}, late);
    expect(r.kind).toBe('reply');
    expect(t.sent).toHaveLength(1);
    late.close();
  });

  it('keeps late replies per server: one from another server does not answer this one', async () => {
    const late = new LateReplies();
    late.listener(serverKey({ address: '127.0.0.9', port: 53 }), { edns: true, randomCase: false }).onLate({ bytes: Buffer.alloc(12), rttMs: 1 });
    expect(late.take(serverKey(SERVER))).toBeNull();
    expect(late.take(serverKey({ address: '127.0.0.9', port: 53 }))).not.toBeNull();
    late.close();
  });

  it('close aborts the listeners of every earlier try', () => {
    const late = new LateReplies();
    const l = late.listener(serverKey(SERVER), { edns: true, randomCase: false });
    late.close();
    expect(l.signal.aborted).toBe(true);
  });
});
