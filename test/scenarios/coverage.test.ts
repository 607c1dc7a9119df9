// Scenarios for behaviour the other scenario files leave out: RTT-based server selection and re-exploration,
// the serve-stale client-response timer, relaxed QNAME minimisation on errors and timeouts, joined identical
// queries, root priming, the per-query time budget, DNAME hops against max-cname-chain, and the EDE switch.
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INFRA_LIMITS, InfraCache } from '../../src/cache/infra-cache.js';
import { NegativeCache } from '../../src/cache/negative-cache.js';
import { RRsetCache } from '../../src/cache/rrset-cache.js';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { LocalData } from '../../src/policy/local-data.js';
import { LocalZones } from '../../src/policy/local-zones.js';
import { parseRootHints } from '../../src/resolver/hints.js';
import { resolverOptions } from '../../src/resolver/options.js';
import type { Resolution } from '../../src/resolver/resolution.js';
import { Resolver } from '../../src/resolver/resolver.js';
import { STALE_TTL } from '../../src/resolver/stale.js';
import { TRIES_PER_SERVER } from '../../src/resolver/zone-query.js';
import type { QueryOptions, Transport, TransportResult } from '../../src/upstream/transport.js';
import { ManualClock } from '../../src/util/clock.js';
import { SeededRandom } from '../../src/util/random.js';
import { decodePacket, type WirePacket } from '../../src/wire/decode.js';
import { EDE_OPTION } from '../../src/wire/edns.js';
import { Rcode, type Question, type RR, type ServerAddr } from '../../src/wire/types.js';
import { authoritative, FakeNet, hintsFor, reply, rr, type Handler, type Reply } from '../helpers/fake-net.js';
import { ednsOpt, LOCAL_UDP, query } from '../helpers/pipeline.js';

const ROOT = '127.6.0.1';
const ROOT2 = '127.6.0.2';
const FAST = '127.6.1.1';
const SLOW = '127.6.1.2';
const AUTH = '127.6.1.3';

/** A FakeNet whose replies from some addresses take longer: the clock moves and the reported RTT grows. */
class DelayedNet implements Transport {
  readonly delays = new Map<string, number>();
  constructor(
    readonly net: FakeNet,
    private readonly clock: ManualClock,
  ) {}

  async query(to: ServerAddr, wire: Buffer, o: QueryOptions): Promise<TransportResult> {
    const r = await this.net.query(to, wire, o);
    const extra = this.delays.get(to.address) ?? 0;
    if (r.kind !== 'reply' || extra === 0) return r;
    if (r.rttMs + extra > o.timeoutMs) {
      this.clock.advance(o.timeoutMs - r.rttMs);
      return { kind: 'timeout' };
    }
    this.clock.advance(extra);
    return { ...r, rttMs: r.rttMs + extra };
  }
}

interface Rig {
  resolver: Resolver;
  net: FakeNet;
  delayed: DelayedNet;
  clock: ManualClock;
  rrsets: RRsetCache;
  infra: InfraCache;
}

/** Like test/helpers/resolver.ts makeResolver, but exposing the infra cache and per-server reply delays. */
function build(config: Partial<Config> = {}, hints = hintsFor(ROOT)): Rig {
  const c = { ...DEFAULTS, ...config };
  const clock = new ManualClock();
  const net = new FakeNet(clock);
  const delayed = new DelayedNet(net, clock);
  const rrsets = new RRsetCache(c.cacheSize, { minTtl: c.minTtl, maxTtl: c.maxTtl }, clock);
  const infra = new InfraCache(clock);
  const resolver = new Resolver({
    transport: delayed,
    clock,
    random: new SeededRandom(42),
    rrsets,
    negatives: new NegativeCache(1000, c.maxNegativeTtl, clock),
    hints: parseRootHints(hints),
    infra,
    ...resolverOptions(c, false),
    upstreamPort: 53,
  });

  return { resolver, net, delayed, clock, rrsets, infra };
}

const A = (name: string): Question => ({ name, type: 'A', class: 'IN' });
const lc = (s: string): string => s.toLowerCase().replace(/\.$/, '');
const qname = (q: WirePacket): string => lc(q.questions![0]!.name);
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** The root delegating `example` to the given servers (glue and NS kept for a day). */
function rootFor(servers: [string, string][]): Handler {
  const recs: RR[] = [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT)];
  for (const [ns, addr] of servers) recs.push(rr.ns('example', ns), rr.a(ns, addr, 86400));
  return authoritative('.', recs);
}

/** A server for `example` that has an A record for every name in it. */
const everyName: Handler = (q) => {
  const name = qname(q);
  if (name === 'example') return reply.nodata(rr.soa('example'));
  return reply.answer([rr.a(name, '192.0.2.1')]);
};

describe('server selection by measured RTT', () => {
  function twoServers(slowDelayMs: number): Rig {
    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', FAST], ['ns2.example', SLOW]]));
    t.net.on(FAST, everyName).on(SLOW, everyName);
    t.delayed.delays.set(SLOW, slowDelayMs);
    return t;
  }

  /** Distinct names so that every query reaches the zone's servers. */
  let n = 0;
  const ask = async (t: Rig): Promise<void> => {
    const r = await t.resolver.resolve(A(`n${n++}.example`));
    expect(r.rcode).toBe(Rcode.NOERROR);
  };

  it('prefers a clearly faster server, and explores the slower one again once its measurement has expired', async () => {
    const t = twoServers(300); // RTO 3·305 against 50 for the fast one: far outside the 400 ms band
    for (let i = 0; i < 10 && (t.net.countTo(FAST) === 0 || t.net.countTo(SLOW) === 0); i++) await ask(t);
    expect(t.net.countTo(SLOW)).toBeGreaterThan(0);
    expect(t.infra.srtt(`${SLOW}:53`)).toBe(305);
    expect(t.infra.srtt(`${FAST}:53`)).toBe(5);
    const slowBefore = t.net.countTo(SLOW);
    const fastBefore = t.net.countTo(FAST);
    for (let i = 0; i < 30; i++) await ask(t);
    expect(t.net.countTo(SLOW)).toBe(slowBefore);
    expect(t.net.countTo(FAST)).toBe(fastBefore + 30);
    // Keep asking every 100 s: the fast server's entry stays fresh, the slow one's expires (infra-ttl 900 s),
    // which puts it back at the unknown RTO, inside the band, so it gets measured again.
    for (let i = 0; i < 20; i++) {
      t.clock.advance(100_000);
      await ask(t);
    }
    const explored = t.net.countTo(SLOW) - slowBefore;
    expect(explored).toBeGreaterThanOrEqual(1);
    expect(explored).toBeLessThanOrEqual(3);
    expect(t.net.countTo(FAST)).toBeGreaterThan(fastBefore + 30 + 15);
  });

  it('spreads queries over servers whose RTOs lie within the band of the fastest', async () => {
    const t = twoServers(60); // RTO 195 against 50: inside the band
    for (let i = 0; i < 40; i++) await ask(t);
    expect(t.infra.srtt(`${SLOW}:53`)).not.toBeNull();
    expect(t.net.countTo(FAST)).toBeGreaterThanOrEqual(8);
    expect(t.net.countTo(SLOW)).toBeGreaterThanOrEqual(8);
    expect(t.net.countTo(FAST) + t.net.countTo(SLOW)).toBe(40);
  });

  it('doubles the timeout sent to a silent server on each try, up to upstream-timeout-ms, five tries in all', async () => {
    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    const timeouts: number[] = [];
    t.net.on(AUTH, (_q, o) => {
      timeouts.push(o.timeoutMs);
      return 'drop';
    });
    const r = await t.resolver.resolve(A('www.example'));
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    const unknown = DEFAULT_INFRA_LIMITS.unknownRtoMs;
    const cap = DEFAULTS.upstreamTimeoutMs;
    expect(timeouts).toEqual([unknown, 2 * unknown, cap, cap, cap]);
    expect(t.infra.timeouts(`${AUTH}:53`)).toBe(TRIES_PER_SERVER);
    expect(t.infra.rto(`${AUTH}:53`)).toBe(unknown * 2 ** TRIES_PER_SERVER);
  });
});

describe('serve-stale client-response timer (RFC 8767 §5)', () => {
  const q = A('www.example');

  function setUp(config: Partial<Config> = {}): Rig & { hang: () => void; release: (r: Reply) => void } {
    const t = build(config);
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    const zone = authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('ns1.example', AUTH, 86400), rr.a('www.example', '192.0.2.1', 300)]);
    t.net.on(AUTH, zone);
    let pending: ((r: Reply) => void) | null = null;
    let hold = false;
    return {
      ...t,
      // From now on the authority never answers until released.
      hang: () => {
        hold = true;
        t.net.on(AUTH, () => (hold ? new Promise<Reply>((resolve) => { pending = resolve; }) : 'drop'));
      },
      release: (r: Reply) => {
        hold = false;
        pending?.(r);
      },
    };
  }

  it('answers stale data (TTL 30, EDE 3) when the timer fires while the authority stays silent', async () => {
    const t = setUp();
    expect((await t.resolver.resolve(q)).rcode).toBe(Rcode.NOERROR);
    t.clock.advance(400_000); // expired 100 s ago, well inside the stale window
    t.hang();
    const sent = t.net.countTo(AUTH);
    let got: Resolution | null = null;
    void t.resolver.resolve(q).then((r) => (got = r));
    await settle();
    expect(t.net.countTo(AUTH)).toBe(sent + 1); // a fresh resolution is under way
    t.clock.advance(DEFAULTS.staleAnswerTimeoutMs - 1);
    await settle();
    expect(got).toBeNull();
    t.clock.advance(1);
    await settle();
    const r = got as Resolution | null;
    expect(r).not.toBeNull();
    expect(r!.rcode).toBe(Rcode.NOERROR);
    expect(r!.answer.map((x) => [x.data, x.ttl])).toEqual([['192.0.2.1', STALE_TTL]]);
    expect(r!.stale).toBe(true);
    expect(r!.ede?.code).toBe(3);
    expect(r!.ede?.text).toMatch(/still running/);
    t.release('drop');
    await settle();
  });

  it('uses the configured client-response time', async () => {
    const t = setUp({ staleAnswerTimeoutMs: 500 });
    await t.resolver.resolve(q);
    t.clock.advance(400_000);
    t.hang();
    let got: Resolution | null = null;
    void t.resolver.resolve(q).then((r) => (got = r));
    await settle();
    t.clock.advance(499);
    await settle();
    expect(got).toBeNull();
    t.clock.advance(1);
    await settle();
    expect((got as Resolution | null)?.stale).toBe(true);
    t.release('drop');
    await settle();
  });

  it('without stale data the client waits for the real answer when the timer fires', async () => {
    const t = setUp();
    await t.resolver.resolve(A('example')); // priming and the delegation, nothing for www.example
    t.hang();
    let got: Resolution | null = null;
    void t.resolver.resolve(q).then((r) => (got = r));
    await settle();
    t.clock.advance(DEFAULTS.staleAnswerTimeoutMs + 100);
    await settle();
    expect(got).toBeNull();
    t.release(reply.answer([rr.a('www.example', '192.0.2.55')]));
    await settle();
    const r = got as Resolution | null;
    expect(r?.rcode).toBe(Rcode.NOERROR);
    expect(r?.answer.map((x) => x.data)).toEqual(['192.0.2.55']);
    expect(r?.stale).toBeUndefined();
  });

  it('a fresh answer arriving before the timer wins, and the timer then does nothing', async () => {
    const t = setUp();
    await t.resolver.resolve(q);
    t.clock.advance(400_000);
    t.hang();
    let got: Resolution | null = null;
    let calls = 0;
    void t.resolver.resolve(q).then((r) => {
      calls++;
      got = r;
    });
    await settle();
    t.clock.advance(1000);
    t.release(reply.answer([rr.a('www.example', '192.0.2.77')]));
    await settle();
    expect((got as Resolution | null)?.answer.map((x) => x.data)).toEqual(['192.0.2.77']);
    t.clock.advance(5000);
    await settle();
    expect(calls).toBe(1);
    expect((got as Resolution | null)?.stale).toBeUndefined();
  });
});

describe('relaxed QNAME minimisation (RFC 9156 §2.3) on errors and silence', () => {
  const cases: [string, Reply][] = [
    ['REFUSED', reply.rcode(Rcode.REFUSED)],
    ['SERVFAIL', reply.rcode(Rcode.SERVFAIL)],
    ['a timeout', 'drop'],
  ];
  it.each(cases)('asks the full name after %s to the minimised one, and gets the right answer', async (_what, bad) => {
    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    const honest = authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('deep.www.example', '192.0.2.8'), rr.a('other.www.example', '192.0.2.9')]);
    t.net.on(AUTH, (q, o) => (qname(q) === 'www.example' ? bad : honest(q, o)));
    const r = await t.resolver.resolve(A('deep.www.example'));
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.8']);
    const asked = t.net.log.filter((l) => l.to === AUTH).map((l) => lc(l.name));
    expect(asked[0]).toBe('www.example');
    expect(asked.at(-1)).toBe('deep.www.example');
    expect(t.net.log.filter((l) => l.to === AUTH && lc(l.name) === 'deep.www.example').map((l) => l.type)).toEqual(['A']);
  });

  it('falls back for a non-A type too, asking the full name with the real type', async () => {
    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    const honest = authoritative('example', [rr.ns('example', 'ns1.example'), rr.txt('deep.www.example', 'hello')]);
    t.net.on(AUTH, (q, o) => (qname(q) === 'www.example' ? reply.rcode(Rcode.REFUSED) : honest(q, o)));
    const r = await t.resolver.resolve({ name: 'deep.www.example', type: 'TXT', class: 'IN' });
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.type)).toEqual(['TXT']);
    expect(t.net.log.filter((l) => l.to === AUTH).map((l) => `${lc(l.name)} ${l.type}`)).toEqual(['www.example A', 'deep.www.example TXT']);
  });
});

describe('identical concurrent queries', () => {
  const zone = (ip: string): Handler => authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('www.example', ip, 300)]);

  it('share one resolution: one set of upstream queries for both clients', async () => {
    const alone = build();
    alone.net.on(ROOT, rootFor([['ns1.example', AUTH]])).on(AUTH, zone('192.0.2.1'));
    await alone.resolver.resolve(A('www.example'));
    const single = alone.net.log.length;

    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]])).on(AUTH, zone('192.0.2.1'));
    const [r1, r2, r3] = await Promise.all([t.resolver.resolve(A('www.example')), t.resolver.resolve(A('WWW.Example')), t.resolver.resolve(A('www.example'))]);
    expect(t.net.log.length).toBe(single);
    expect(t.net.countTo(AUTH)).toBe(1);
    for (const r of [r1, r2, r3]) expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
  });

  it('do not join different questions, and are not joined to a finished resolution', async () => {
    const t = build();
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]])).on(AUTH, zone('192.0.2.1'));
    await Promise.all([t.resolver.resolve(A('www.example')), t.resolver.resolve({ name: 'www.example', type: 'AAAA', class: 'IN' })]);
    const www = t.net.log.filter((l) => l.to === AUTH && lc(l.name) === 'www.example');
    expect(www.map((l) => l.type).sort()).toEqual(['A', 'AAAA']);
    t.clock.advance(301_000); // the A record expired
    t.net.on(AUTH, zone('192.0.2.2'));
    const again = await t.resolver.resolve(A('www.example'));
    expect(again.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
  });
});

describe('root priming (RFC 8109)', () => {
  /** The hinted root answers only the priming query, naming another root server; that one serves the root zone. */
  function setUp(): Rig {
    const t = build();
    t.net.on(ROOT, (q) =>
      qname(q) === '' && q.questions![0]!.type === 'NS'
        ? reply.answer([rr.ns('.', 'b.root.test')], { additional: [rr.a('b.root.test', ROOT2, 3_600_000)] })
        : 'drop',
    );
    t.net.on(ROOT2, authoritative('.', [rr.ns('.', 'b.root.test'), rr.a('b.root.test', ROOT2), rr.ns('example', 'ns1.example'), rr.a('ns1.example', AUTH, 86400)]));
    t.net.on(AUTH, authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('www.example', '192.0.2.1'), rr.a('mail.example', '192.0.2.2')]));
    return t;
  }

  it('asks a hinted root for ". NS" first, then uses the primed root servers', async () => {
    const t = setUp();
    const r = await t.resolver.resolve(A('www.example'));
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(t.net.log[0]).toMatchObject({ to: ROOT, type: 'NS' });
    expect(lc(t.net.log[0]!.name)).toBe('');
    expect(t.net.log.filter((l) => l.to === ROOT).length).toBe(1);
    expect(t.net.countTo(ROOT2)).toBeGreaterThan(0);
  });

  it('primes once: later queries go straight to the primed servers', async () => {
    const t = setUp();
    await t.resolver.resolve(A('www.example'));
    t.clock.advance(1_000_000); // past the records' TTLs, not the root NS set's
    const r = await t.resolver.resolve(A('mail.example'));
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    expect(t.net.log.filter((l) => lc(l.name) === '' && l.type === 'NS').length).toBe(1);
    expect(t.net.countTo(ROOT)).toBe(1);
  });
});

describe('per-query time budget', () => {
  it('ends a query against a silent hierarchy with SERVFAIL when the budget is spent, not later', async () => {
    const budget = 2_500;
    const t = build({ queryTimeoutMs: budget });
    const servers: [string, string][] = Array.from({ length: 10 }, (_, i) => [`ns${i}.example`, `127.6.2.${i + 1}`]);
    t.net.on(ROOT, rootFor(servers));
    for (const [, addr] of servers) t.net.on(addr, () => 'drop');
    const started = t.clock.nowMs();
    const r = await t.resolver.resolve(A('www.example'));
    const elapsed = t.clock.nowMs() - started;
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(new RegExp(`query time budget of ${budget} ms used up`));
    expect(elapsed).toBeLessThanOrEqual(budget);
    expect(elapsed).toBeGreaterThan(budget - DEFAULTS.upstreamTimeoutMs);
    // Stopped before every server had its turn.
    const asked = servers.filter(([, addr]) => t.net.countTo(addr) > 0).length;
    expect(asked).toBeLessThan(servers.length);
  });
});

describe('DNAME hops and max-cname-chain', () => {
  /** d0.example DNAME d1.example, …, d{n-1} DNAME d{n}; www.d{n}.example has an address. One hop per reply. */
  function dnameChain(hops: number): Handler {
    const soa = rr.soa('example');
    return (q) => {
      const name = qname(q);
      const owner = /^d(\d+)\.example$/.exec(name);
      if (name === 'example' || owner) return reply.nodata(soa);
      const m = /^(.+)\.d(\d+)\.example$/.exec(name);
      if (!m) return reply.nxdomain(soa);
      const i = Number(m[2]);
      if (i < hops) return reply.answer([{ name: `d${i}.example`, type: 'DNAME', class: 'IN', ttl: 300, data: `d${i + 1}.example` }]);
      return m[1] === 'www' && i === hops ? reply.answer([rr.a(name, '192.0.2.44')]) : reply.nxdomain(soa);
    };
  }

  function setUp(limit: number, hops: number): Rig {
    const t = build({ maxCnameChain: limit });
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    t.net.on(AUTH, dnameChain(hops));
    return t;
  }

  it('follows a DNAME chain as long as the limit', async () => {
    const t = setUp(3, 3);
    const r = await t.resolver.resolve(A('www.d0.example'));
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.type)).toEqual(['DNAME', 'CNAME', 'DNAME', 'CNAME', 'DNAME', 'CNAME', 'A']);
    expect(r.answer.at(-1)!.data).toBe('192.0.2.44');
  });

  it('fails with SERVFAIL when the DNAME hops exceed the limit', async () => {
    const t = setUp(3, 4);
    const r = await t.resolver.resolve(A('www.d0.example'));
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.answer).toEqual([]);
    expect(r.ede?.text).toMatch(/chain longer than 3/);
  });

  it('counts DNAME hops carried in a single reply as well', async () => {
    const t = build({ maxCnameChain: 3 });
    t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
    const chain: RR[] = [0, 1, 2, 3].map((i) => ({ name: `d${i}.example`, type: 'DNAME', class: 'IN', ttl: 300, data: `d${i + 1}.example` }));
    t.net.on(AUTH, (q) => (/^d\d\.example$/.test(qname(q)) ? reply.nodata(rr.soa('example')) : reply.answer([...chain, rr.a('www.d4.example', '192.0.2.44')])));
    const r = await t.resolver.resolve(A('www.d0.example'));
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/chain longer than 3/);
  });
});

describe('EDE switch in the pipeline (RFC 8914)', () => {
  function pipelineWith(ede: boolean, config: Partial<Config> = {}): Rig & { ask: (q: dnsPacket.Packet) => Promise<WirePacket> } {
    const t = build(config);
    const pipeline = new Pipeline({
      resolver: t.resolver,
      answerCache: null,
      acl: { allows: () => true },
      debugAcl: { allows: () => false },
      identity: 'test-host',
      localData: new LocalData(),
      localZones: new LocalZones(true),
      logger: pino({ level: 'silent' }),
      queryLog: false,
      maxClientQueries: 1000,
      ede,
    });
    const ask = async (q: dnsPacket.Packet): Promise<WirePacket> => {
      const out = await pipeline.handle(dnsPacket.encode(q), LOCAL_UDP);
      if (!out) throw new Error('pipeline sent nothing');
      const d = decodePacket(out);
      if (!d.ok) throw new Error(d.reason);
      return d.packet;
    };
    return { ...t, ask };
  }

  const edeCodes = (p: WirePacket): number[] => {
    const opt = (p.additionals ?? []).find((a) => a.type === 'OPT') as { options?: { code: number; data: Buffer }[] } | undefined;
    expect(opt).toBeDefined();
    return (opt!.options ?? []).filter((o) => o.code === EDE_OPTION).map((o) => o.data.readUInt16BE(0));
  };

  for (const ede of [true, false]) {
    it(`SERVFAIL to an EDNS client ${ede ? 'carries' : 'carries no'} EDE with ede: ${ede}`, async () => {
      const t = pipelineWith(ede);
      t.net.on(ROOT, () => reply.rcode(Rcode.REFUSED));
      const r = await t.ask(query('www.example', 'A', { additionals: [ednsOpt()] }));
      expect(r.rcode).toBe('SERVFAIL');
      expect(edeCodes(r)).toEqual(ede ? [22] : []);
    });

    it(`a stale answer ${ede ? 'carries' : 'carries no'} EDE 3 with ede: ${ede}`, async () => {
      const t = pipelineWith(ede);
      t.net.on(ROOT, rootFor([['ns1.example', AUTH]]));
      t.net.on(AUTH, authoritative('example', [rr.ns('example', 'ns1.example'), rr.a('www.example', '192.0.2.1', 300)]));
      expect((await t.ask(query('www.example', 'A', { additionals: [ednsOpt()] }))).rcode).toBe('NOERROR');
      t.clock.advance(400_000);
      t.net.on(AUTH, () => 'drop');
      const r = await t.ask(query('www.example', 'A', { additionals: [ednsOpt()] }));
      expect(r.rcode).toBe('NOERROR');
      expect(((r.answers ?? []) as unknown as RR[]).map((a) => [a.data, a.ttl])).toEqual([['192.0.2.1', STALE_TTL]]);
      expect(edeCodes(r)).toEqual(ede ? [3] : []);
    });
  }
});
