// A scripted network for resolver tests: each upstream address has a handler that sees the decoded query and
// returns a reply packet, raw bytes, 'drop' (timeout) or 'neterror'; `answerLate` makes a server's next reply come
// after the try's timeout (to the try's late listener). Every query is logged.
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { matchReply } from '../../src/upstream/match.js';
import type { QueryOptions, Transport, TransportResult } from '../../src/upstream/transport.js';
import type { ManualClock } from '../../src/util/clock.js';
import { decodePacket, type WirePacket } from '../../src/wire/decode.js';
import type { RR, ServerAddr } from '../../src/wire/types.js';

export type Reply = Packet | Buffer | 'drop' | 'neterror';
export type Handler = (q: WirePacket, o: QueryOptions) => Reply | Promise<Reply>;

export interface LoggedQuery {
  to: string;
  name: string;
  type: string;
  tcp: boolean;
}

export class FakeNet implements Transport {
  readonly log: LoggedQuery[] = [];
  private readonly handlers = new Map<string, Handler>();
  /** Servers whose next reply comes this many ms after the try timed out. */
  private readonly lateBy = new Map<string, number>();
  /** Off for bursts: many tries wait out their timeouts at the same time, not one after another. */
  advanceOnTimeout = true;

  constructor(
    private readonly clock?: ManualClock,
    private readonly rttMs = 5,
  ) {}

  on(address: string, handler: Handler): this {
    this.handlers.set(address, handler);
    return this;
  }

  /** The next reply of `address` arrives `afterMs` after its try timed out: only a late listener gets it. */
  answerLate(address: string, afterMs: number): this {
    this.lateBy.set(address, afterMs);
    return this;
  }

  async query(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
    const q = decodePacket(wire);
    if (!q.ok) throw new Error('resolver sent an undecodable query');
    const question = q.packet.questions![0]!;
    this.log.push({ to: to.address, name: question.name, type: question.type, tcp: o.tcp });
    const handler = this.handlers.get(to.address);
    const reply = handler ? await handler(q.packet, o) : 'drop';
    if (reply === 'drop') return this.timeout(o);
    if (reply === 'neterror') return { kind: 'neterror', error: 'ECONNREFUSED' };
    const bytes = Buffer.isBuffer(reply) ? reply : dnsPacket.encode({ ...reply, id: reply.id ?? q.packet.id, questions: reply.questions ?? q.packet.questions });
    const lateBy = this.lateBy.get(to.address);
    if (lateBy !== undefined && !o.tcp) {
      this.lateBy.delete(to.address);
      const listener = o.late;
      if (listener) setTimeout(() => listener.signal.aborted || listener.onLate({ bytes, rttMs: o.timeoutMs + lateBy }), 0);
      return this.timeout(o);
    }
    this.clock?.advance(this.rttMs);
    // Mirror the real transport: only a matching reply counts; anything else looks like silence.
    const m = matchReply(wire, bytes, o.exactCase ?? false);
    if (m === 'case-mismatch') {
      // The real transport waits out the timeout for an exact reply before it reports a mismatch.
      this.clock?.advance(o.timeoutMs);
      return { kind: 'case-mismatch' };
    }
    if (m === 'no') return this.timeout(o);
    return { kind: 'reply', bytes, rttMs: this.rttMs };
  }

  private timeout(o: QueryOptions): TransportResult {
    if (this.advanceOnTimeout) this.clock?.advance(o.timeoutMs);
    return { kind: 'timeout' };
  }

  countTo(address: string): number {
    return this.log.filter((l) => l.to === address).length;
  }
}

const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const asAnswers = (rrs: RR[]): Answer[] => rrs as unknown as Answer[];

export const rr = {
  a: (name: string, ip: string, ttl = 300): RR => ({ name, type: 'A', class: 'IN', ttl, data: ip }),
  aaaa: (name: string, ip: string, ttl = 300): RR => ({ name, type: 'AAAA', class: 'IN', ttl, data: ip }),
  ns: (zone: string, host: string, ttl = 86400): RR => ({ name: zone, type: 'NS', class: 'IN', ttl, data: host }),
  cname: (name: string, target: string, ttl = 300): RR => ({ name, type: 'CNAME', class: 'IN', ttl, data: target }),
  txt: (name: string, text: string, ttl = 300): RR => ({ name, type: 'TXT', class: 'IN', ttl, data: [Buffer.from(text)] }),
  soa: (zone: string, minimum = 300, ttl = 3600): RR => ({
    name: zone, type: 'SOA', class: 'IN', ttl,
    data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum },
  }),
};

export const reply = {
  answer: (records: RR[], extra: { authority?: RR[]; additional?: RR[]; aa?: boolean } = {}): Packet => ({
    type: 'response', flags: extra.aa === false ? 0 : AA, answers: asAnswers(records),
    authorities: asAnswers(extra.authority ?? []), additionals: asAnswers(extra.additional ?? []),
  }),
  referral: (ns: RR[], glue: RR[] = []): Packet => ({ type: 'response', flags: 0, answers: [], authorities: asAnswers(ns), additionals: asAnswers(glue) }),
  nxdomain: (soa: RR, answers: RR[] = []): Packet => ({ type: 'response', flags: AA | 3, answers: asAnswers(answers), authorities: asAnswers([soa]) }),
  nodata: (soa: RR): Packet => ({ type: 'response', flags: AA, answers: [], authorities: asAnswers([soa]) }),
  rcode: (code: number): Packet => ({ type: 'response', flags: code }),
};

/** Root hints text naming one root server at `address`. */
export function hintsFor(address: string): string {
  return `.  3600000 NS a.root.test.\na.root.test. 3600000 A ${address}\n`;
}

/**
 * A minimal authoritative answerer for one zone (RFC 1034 §4.3.2, simplified): referrals at child cuts with
 * glue, CNAMEs followed inside the zone, NODATA/NXDOMAIN with the SOA. Enough for scripted scenarios.
 */
export function authoritative(origin: string, records: RR[], soaMinimum = 300): Handler {
  const lc = (s: string): string => s.toLowerCase().replace(/\.$/, '');
  const zone = lc(origin);
  const inZone = (n: string): boolean => zone === '' || lc(n) === zone || lc(n).endsWith('.' + zone);
  const soa = rr.soa(origin, soaMinimum);
  return (q) => {
    const question = q.questions![0]!;
    const qname = lc(question.name);
    if (!inZone(qname)) return reply.rcode(5);
    const cut = records.find((r) => r.type === 'NS' && lc(r.name) !== zone && (qname === lc(r.name) || qname.endsWith('.' + lc(r.name))));
    if (cut) {
      const ns = records.filter((r) => r.type === 'NS' && lc(r.name) === lc(cut.name));
      const targets = new Set(ns.map((r) => lc(r.data as string)));
      const glue = records.filter((r) => (r.type === 'A' || r.type === 'AAAA') && targets.has(lc(r.name)));
      return reply.referral(ns, glue);
    }
    const answers: RR[] = [];
    let name = qname;
    for (let i = 0; i < 64; i++) {
      const data = records.filter((r) => lc(r.name) === name && r.type === question.type);
      if (data.length) return reply.answer([...answers, ...data]);
      const cname = records.find((r) => lc(r.name) === name && r.type === 'CNAME');
      if (!cname) break;
      answers.push(cname);
      name = lc(cname.data as string);
      if (!inZone(name)) return reply.answer(answers);
    }
    const exists = records.some((r) => lc(r.name) === name || lc(r.name).endsWith('.' + name));
    return exists || name === zone ? { ...reply.nodata(soa), answers: answers as never } : reply.nxdomain(soa, answers);
  };
}
