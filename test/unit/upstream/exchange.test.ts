// The upstream exchange on a scripted transport: each send gets the next scripted reaction, and the test sees
// every query sent, every try report and the final result.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { Exchanger, type ExchangeHooks, type TryReport } from '../../../src/upstream/exchange.js';
import type { QueryOptions, Transport, TransportResult } from '../../../src/upstream/transport.js';
import { SeededRandom } from '../../../src/util/random.js';
import { DO_BIT } from '../../../src/wire/edns.js';
import { Flag } from '../../../src/wire/question.js';
import type { ServerAddr } from '../../../src/wire/types.js';

/** The rcode travels in the low bits of the flags word (RFC 1035 §4.1.1). */
const RCODE_FORMERR = 1;
const RCODE_NOTIMP = 4;
const SERVER: ServerAddr = { address: '127.0.0.1', port: 53 };
type Reaction = (query: dnsPacket.Packet) => TransportResult;

interface Sent {
  packet: dnsPacket.Packet;
  options: QueryOptions;
}

class ScriptedTransport implements Transport {
  readonly sent: Sent[] = [];
  constructor(private readonly reactions: Reaction[]) {}
  query(_to: ServerAddr, wire: Buffer, options: QueryOptions): Promise<TransportResult> {
    const packet = dnsPacket.decode(wire);
    this.sent.push({ packet, options });
    const react = this.reactions.shift();
    if (!react) throw new Error('no reaction scripted');
    return Promise.resolve(react(packet));
  }
}

const respond =
  (extra: Partial<dnsPacket.Packet> = {}, opt = true): Reaction =>
  (q) => ({
    kind: 'reply',
    rttMs: 7,
    bytes: dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: extra.flags ?? 0,
      questions: q.questions,
      answers: extra.answers ?? [],
      additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer] : [],
    } as dnsPacket.Packet),
  });
const answerA = (q: dnsPacket.Packet): TransportResult =>
  respond({ answers: [{ name: q.questions![0]!.name, type: 'A', ttl: 60, data: '192.0.2.1' }] })(q);

function hooks(timeouts: (number | null)[] = []): ExchangeHooks & { reports: TryReport[]; inFlight: number; maxInFlight: number } {
  const h = {
    reports: [] as TryReport[],
    inFlight: 0,
    maxInFlight: 0,
    beforeSend: (_tcp: boolean): number | null => {
      const t = timeouts.length > 0 ? timeouts.shift()! : 500;
      if (t !== null) h.maxInFlight = Math.max(h.maxInFlight, ++h.inFlight);
      return t;
    },
    afterSend: () => void h.inFlight--,
    onTry: (r: TryReport) => void h.reports.push(r),
  };
  return h;
}

const ex = (t: Transport) => new Exchanger(t, new SeededRandom(1));
const plain = { edns: true, randomCase: false };

describe('Exchanger', () => {
  it('returns the decoded reply of one send, with RD=0 and EDNS by default', async () => {
    const t = new ScriptedTransport([answerA]);
    const h = hooks();
    const r = await ex(t).exchange(SERVER, { name: 'www.example.com', type: 'A' }, plain, h);
    expect(r.kind).toBe('reply');
    expect(t.sent).toHaveLength(1);
    expect((t.sent[0]!.packet.flags ?? 0) & Flag.RD).toBe(0);
    expect(t.sent[0]!.packet.additionals?.some((a) => a.type === 'OPT')).toBe(true);
    expect(h.reports.map((x) => x.kind)).toEqual(['reply']);
    expect(h.inFlight).toBe(0);
  });

  it('sets RD, DO and CD when asked (forwarding, DNSSEC)', async () => {
    const t = new ScriptedTransport([answerA]);
    await ex(t).exchange(SERVER, { name: 'example.com', type: 'A' }, plain, hooks(), { recursionDesired: true, dnssecOk: true, checkingDisabled: true });
    const p = t.sent[0]!.packet;
    expect((p.flags ?? 0) & Flag.RD).toBe(Flag.RD);
    expect((p.flags ?? 0) & Flag.CD).toBe(Flag.CD);
    const opt = p.additionals?.find((a) => a.type === 'OPT') as { flags?: number } | undefined;
    expect((opt?.flags ?? 0) & DO_BIT).toBe(DO_BIT);
  });

  it('retries a truncated UDP reply over TCP, with the TCP timeout beforeSend gives', async () => {
    const t = new ScriptedTransport([respond({ flags: Flag.TC }), answerA]);
    const h = hooks([300, 900]);
    const r = await ex(t).exchange(SERVER, { name: 'big.example', type: 'A' }, plain, h);
    expect(r).toMatchObject({ kind: 'reply', tcp: true });
    expect(t.sent.map((s) => [s.options.tcp, s.options.timeoutMs])).toEqual([
      [false, 300],
      [true, 900],
    ]);
    expect(h.reports.map((x) => x.kind)).toEqual(['truncated', 'reply']);
  });

  it('asks again without EDNS when the server answers FORMERR without an OPT (RFC 6891 §7)', async () => {
    const t = new ScriptedTransport([respond({ flags: RCODE_FORMERR }, false), answerA]);
    const h = hooks();
    const r = await ex(t).exchange(SERVER, { name: 'old.example', type: 'A' }, plain, h);
    expect(r.kind).toBe('reply');
    expect(t.sent[1]!.packet.additionals ?? []).toEqual([]);
    expect(h.reports[0]).toMatchObject({ kind: 'edns-rejected', rcode: 'FORMERR' });
  });

  it('keeps a FORMERR that carries an OPT: the server knows EDNS, the error is its answer', async () => {
    const t = new ScriptedTransport([respond({ flags: RCODE_FORMERR }, true)]);
    const r = await ex(t).exchange(SERVER, { name: 'x.example', type: 'A' }, plain, hooks());
    expect(r.kind).toBe('reply');
    expect(t.sent).toHaveLength(1);
  });

  it('drops 0x20 after a case mismatch, and restores the question case in what it returns', async () => {
    const t = new ScriptedTransport([() => ({ kind: 'case-mismatch' }), answerA]);
    const h = hooks();
    const r = await ex(t).exchange(SERVER, { name: 'www.example.com', type: 'A' }, { edns: true, randomCase: true }, h);
    expect(t.sent[0]!.options.exactCase).toBe(true);
    expect(t.sent[1]!.options.exactCase).toBe(false);
    expect(t.sent[1]!.packet.questions![0]!.name).toBe('www.example.com');
    expect(h.reports.map((x) => x.kind)).toEqual(['case-mismatch', 'reply']);
    expect(r.kind === 'reply' && r.packet.questions?.[0]?.name).toBe('www.example.com');
  });

  it('randomises case with 0x20 and gives back the question as asked', async () => {
    const t = new ScriptedTransport([answerA]);
    const r = await ex(t).exchange(SERVER, { name: 'abcdefghijkl.example.com', type: 'A' }, { edns: true, randomCase: true }, hooks());
    const sentName = t.sent[0]!.packet.questions![0]!.name;
    expect(sentName.toLowerCase()).toBe('abcdefghijkl.example.com');
    expect(sentName).not.toBe('abcdefghijkl.example.com');
    expect(r.kind === 'reply' && r.packet.questions?.[0]?.name).toBe('abcdefghijkl.example.com');
  });

  it('returns typed failures: timeout, network error, malformed reply', async () => {
    const timeout = await ex(new ScriptedTransport([() => ({ kind: 'timeout' })])).exchange(SERVER, { name: 'a.example', type: 'A' }, plain, hooks());
    expect(timeout).toEqual({ kind: 'timeout' });
    const net = await ex(new ScriptedTransport([() => ({ kind: 'neterror', error: 'ECONNREFUSED' })])).exchange(SERVER, { name: 'a.example', type: 'A' }, plain, hooks());
    expect(net).toEqual({ kind: 'neterror', error: 'ECONNREFUSED' });
    const garbage = await ex(new ScriptedTransport([() => ({ kind: 'reply', rttMs: 1, bytes: Buffer.from([0, 1, 0x80, 0, 0, 1, 0, 0]) })])).exchange(
      SERVER,
      { name: 'a.example', type: 'A' },
      plain,
      hooks(),
    );
    expect(garbage.kind).toBe('malformed');
  });

  it('sends nothing when beforeSend says stop, and counts every admitted send out again', async () => {
    const t = new ScriptedTransport([respond({ flags: Flag.TC })]);
    const h = hooks([200, null]);
    const r = await ex(t).exchange(SERVER, { name: 'a.example', type: 'A' }, plain, h);
    expect(r).toEqual({ kind: 'stopped' });
    expect(t.sent).toHaveLength(1);
    expect(h.inFlight).toBe(0);
    expect(h.maxInFlight).toBe(1);
  });

  it('gives up after a bounded number of fallbacks', async () => {
    const mismatch: Reaction = () => ({ kind: 'case-mismatch' });
    const t = new ScriptedTransport([respond({ flags: RCODE_NOTIMP }, false), mismatch, mismatch, respond({ flags: Flag.TC }), answerA]);
    const r = await ex(t).exchange(SERVER, { name: 'a.example', type: 'A' }, { edns: true, randomCase: true }, hooks());
    expect(r).toEqual({ kind: 'exhausted' });
    expect(t.sent).toHaveLength(4);
  });
});
