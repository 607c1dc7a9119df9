// Fault injection (issue: resolver depth): each scenario makes the authoritative servers of example.com
// misbehave in one way and states the answer rootline must give, how many queries it may send them, and what
// must not be in the cache afterwards. Real server, real packets, loopback only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { TRIES_PER_SERVER } from '../../src/resolver/zone-query.js';
import type { RR } from '../../src/wire/types.js';
import { ask, datas } from '../helpers/client.js';
import { authoritative, reply, rr, type Handler } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const IP = { root: '127.7.0.1', com: '127.7.1.1', net: '127.7.1.2', ns1: '127.7.2.1', ns2: '127.7.2.2', nowhere: '127.7.2.3', other: '127.7.2.4' };
const POISON = '6.6.6.6';
/** Two servers that never give a matching reply are each tried TRIES_PER_SERVER times within the budget. */
const SILENT_PAIR_TRIES = 2 * TRIES_PER_SERVER;

const exampleRecords: RR[] = [
  rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'),
  rr.a('ns1.example.com', IP.ns1), rr.a('ns2.example.com', IP.ns2),
  rr.a('www.example.com', '192.0.2.80', 2),
  rr.cname('loop.example.com', 'loop2.example.com'), rr.cname('loop2.example.com', 'loop.example.com'),
];
const honest = authoritative('example.com', exampleRecords);
const healthy: Handler = (q, o) => honest(q, o);

type Behaviour = { handler?: Handler; delayMs?: number; spoofPort?: boolean; spoofAddress?: boolean };

interface Scenario {
  name: string;
  ns1: Behaviour;
  ns2: Behaviour;
  query?: [string, string];
  config?: Partial<Config>;
  expectRcode: string;
  expectData?: string[];
  /** Most queries the example.com servers may receive. */
  maxQueries: number;
  /** Names whose A record must not be in the cache afterwards (poisoning). */
  notCached?: string[];
  ede?: RegExp;
}

const lowerCase = (q: Parameters<Handler>[0]) => ({ ...(honest(q, { tcp: false, timeoutMs: 0 }) as dnsPacket.Packet), questions: q.questions!.map((x) => ({ ...x, name: x.name.toLowerCase() })) });
const flipCase = (q: Parameters<Handler>[0]) => ({
  ...(honest(q, { tcp: false, timeoutMs: 0 }) as dnsPacket.Packet),
  questions: q.questions!.map((x) => ({ ...x, name: [...x.name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('') })),
});
const cut = (q: Parameters<Handler>[0]) => {
  const full = dnsPacket.encode({ ...(honest(q, { tcp: false, timeoutMs: 0 }) as dnsPacket.Packet), id: q.id, questions: q.questions });
  return full.subarray(0, full.length - 7);
};

const scenarios: Scenario[] = [
  { name: 'a server that never answers (both)', ns1: { handler: () => 'drop' }, ns2: { handler: () => 'drop' }, expectRcode: 'SERVFAIL', maxQueries: SILENT_PAIR_TRIES, ede: /example\.com.*timeout/ },
  { name: 'one server answers after 3 s, the other is fine', ns1: { handler: healthy, delayMs: 3000 }, ns2: { handler: healthy }, expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 3 },
  { name: 'lame servers (REFUSED, SERVFAIL)', ns1: { handler: () => reply.rcode(5) }, ns2: { handler: () => reply.rcode(2) }, expectRcode: 'SERVFAIL', maxQueries: 2, ede: /REFUSED.*SERVFAIL|SERVFAIL.*REFUSED/ },
  { name: 'garbage bytes', ns1: { handler: () => Buffer.from('\x00\x01garbage garbage garbage') }, ns2: { handler: () => Buffer.from([1, 2, 3]) }, expectRcode: 'SERVFAIL', maxQueries: SILENT_PAIR_TRIES },
  { name: 'a valid answer cut in the middle', ns1: { handler: cut }, ns2: { handler: cut }, expectRcode: 'SERVFAIL', maxQueries: 2, ede: /malformed/ },
  { name: 'wrong ID (spoof) on one server', ns1: { handler: (q) => ({ ...reply.answer([rr.a('www.example.com', POISON)]), id: ((q.id ?? 0) + 1) & 0xffff }) }, ns2: { handler: healthy }, expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 3 },
  { name: 'replies from the wrong source port', ns1: { handler: () => reply.answer([rr.a('www.example.com', POISON)]), spoofPort: true }, ns2: { handler: () => reply.answer([rr.a('www.example.com', POISON)]), spoofPort: true }, expectRcode: 'SERVFAIL', maxQueries: SILENT_PAIR_TRIES },
  { name: 'replies from the wrong address', ns1: { handler: () => reply.answer([rr.a('www.example.com', POISON)]), spoofAddress: true }, ns2: { handler: () => reply.answer([rr.a('www.example.com', POISON)]), spoofAddress: true }, expectRcode: 'SERVFAIL', maxQueries: SILENT_PAIR_TRIES },
  { name: 'an answer to a different question', ns1: { handler: () => ({ ...reply.answer([rr.a('evil.example.com', POISON)]), questions: [{ name: 'evil.example.com', type: 'A', class: 'IN' }] }) }, ns2: { handler: () => ({ ...reply.answer([rr.a('evil.example.com', POISON)]), questions: [{ name: 'evil.example.com', type: 'A', class: 'IN' }] }) }, expectRcode: 'SERVFAIL', maxQueries: SILENT_PAIR_TRIES, notCached: ['evil.example.com'] },
  { name: 'question case changed (0x20 mismatch): falls back to plain case', ns1: { handler: flipCase }, ns2: { handler: flipCase }, expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 4 },
  { name: 'a server that does not preserve case', ns1: { handler: lowerCase }, ns2: { handler: lowerCase }, expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 4 },
  {
    name: 'out-of-bailiwick A records (cache poisoning attempt)',
    ns1: { handler: (q, o) => ({ ...(honest(q, o) as dnsPacket.Packet), answers: [...((honest(q, o) as dnsPacket.Packet).answers ?? []), rr.a('www.other.net', POISON) as never], additionals: [rr.a('ns.other.net', POISON) as never] }) },
    ns2: { handler: (q, o) => ({ ...(honest(q, o) as dnsPacket.Packet), additionals: [rr.a('www.other.net', POISON) as never] }) },
    expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 2, notCached: ['www.other.net', 'ns.other.net'],
  },
  { name: 'a referral back up to com (referral loop)', ns1: { handler: () => reply.referral([rr.ns('com', 'a.gtld.lab')]) }, ns2: { handler: () => reply.referral([rr.ns('com', 'a.gtld.lab')]) }, expectRcode: 'SERVFAIL', maxQueries: 2, ede: /upward referral/ },
  { name: 'a CNAME loop', ns1: { handler: healthy }, ns2: { handler: healthy }, query: ['loop.example.com', 'A'], expectRcode: 'SERVFAIL', maxQueries: 2, ede: /CNAME loop/ },
  { name: 'servers that answer FORMERR to EDNS', ns1: { handler: (q, o) => ((q.additionals ?? []).some((a) => a.type === 'OPT') ? reply.rcode(1) : honest(q, o)) }, ns2: { handler: (q, o) => ((q.additionals ?? []).some((a) => a.type === 'OPT') ? reply.rcode(1) : honest(q, o)) }, expectRcode: 'NOERROR', expectData: ['192.0.2.80'], maxQueries: 2 },
];

describe('fault injection', () => {
  const servers: Record<string, LoopbackServer> = {};
  let port = 0;
  let hintsFile = '';

  beforeAll(async () => {
    port = await freePortOn(Object.values(IP));
    const glueless: RR[] = Array.from({ length: 100 }, (_, i) => rr.ns('victim.com', `ns${i}.nowhere.net`));
    const base: Record<keyof typeof IP, Handler> = {
      root: authoritative('.', [rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', IP.root), rr.ns('com', 'a.gtld.lab'), rr.ns('net', 'b.gtld.lab'), rr.ns('lab', 'a.root.lab'), rr.a('a.gtld.lab', IP.com), rr.a('b.gtld.lab', IP.net)]),
      com: authoritative('com', [rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'), rr.a('ns1.example.com', IP.ns1), rr.a('ns2.example.com', IP.ns2), ...glueless]),
      net: authoritative('net', [rr.ns('nowhere.net', 'ns.nowhere.net'), rr.a('ns.nowhere.net', IP.nowhere), rr.ns('other.net', 'ns.other.net'), rr.a('ns.other.net', IP.other)]),
      ns1: healthy,
      ns2: healthy,
      nowhere: (q) => (q.questions![0]!.name.toLowerCase().startsWith('ns.') ? reply.answer([rr.a('ns.nowhere.net', IP.nowhere)]) : reply.nxdomain(rr.soa('nowhere.net'))),
      other: authoritative('other.net', [rr.ns('other.net', 'ns.other.net'), rr.a('ns.other.net', IP.other), rr.a('www.other.net', '198.51.100.50')]),
    };
    for (const [name, address] of Object.entries(IP)) servers[name] = await serveOnLoopback(address, port, base[name as keyof typeof IP]);
    const dir = mkdtempSync(join(tmpdir(), 'rootline-faults-'));
    hintsFile = join(dir, 'named.root');
    writeFileSync(hintsFile, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${IP.root}\n`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  async function withServer<T>(extra: Partial<Config>, fn: (s: RunningServer, listenPort: number) => Promise<T>): Promise<T> {
    const config: Config = { ...DEFAULTS, listen: ['127.0.0.1:0'], rootHints: hintsFile, dnssecValidation: false, upstreamPort: port, upstreamTimeoutMs: 250, queryTimeoutMs: 3000, ...extra };
    const s = await startServer(config, { logger: pino({ level: 'silent' }) });
    try {
      return await fn(s, Number(s.addresses[0]!.split(':')[1]));
    } finally {
      await s.close();
    }
  }

  const exampleQueries = () => servers.ns1!.queries.length + servers.ns2!.queries.length;
  const apply = (s: LoopbackServer, b: Behaviour) => {
    s.handler = b.handler ?? healthy;
    s.delayMs = b.delayMs ?? 0;
    s.spoofSourcePort = b.spoofPort ?? false;
    s.spoofSourceAddress = b.spoofAddress ?? false;
    s.queries.length = 0;
  };

  for (const sc of scenarios) {
    it(sc.name, async () => {
      apply(servers.ns1!, sc.ns1);
      apply(servers.ns2!, sc.ns2);
      await withServer({ serveStale: false, ...sc.config }, async (server, listenPort) => {
        const [name, type] = sc.query ?? ['www.example.com', 'A'];
        const r = await ask('127.0.0.1', listenPort, name, type, { edns: true });
        expect(r.rcode).toBe(sc.expectRcode);
        if (sc.expectData) expect(datas(r)).toEqual(sc.expectData);
        expect(datas(r)).not.toContain(POISON);
        expect(exampleQueries()).toBeLessThanOrEqual(sc.maxQueries);
        if (sc.ede) {
          const opt = r.additionals!.find((a) => a.type === 'OPT') as { options: { code: number; data: Buffer }[] };
          expect(opt.options.find((o) => o.code === 15)!.data.subarray(2).toString()).toMatch(sc.ede);
        }
        for (const n of sc.notCached ?? []) {
          const hit = server.rrsets.get(n, 'A', Rank.ADDITIONAL);
          expect(hit?.records.map((x) => x.data) ?? []).not.toContain(POISON);
        }
        expect(server.rrsets.get('www.example.com', 'A', Rank.ADDITIONAL)?.records.map((x) => x.data) ?? []).not.toContain(POISON);
      });
    });
  }

  it('a delegation to 100 glueless NS names stops at the NS lookup limit', async () => {
    const before = servers.nowhere!.queries.length;
    await withServer({ serveStale: false, maxNsLookups: 8 }, async (s, listenPort) => {
      const r = await ask('127.0.0.1', listenPort, 'www.victim.com', 'A', { edns: true });
      expect(r.rcode).toBe('SERVFAIL');
      // One metric per limit: the NS-lookup limit cut off the other names' lookups, nothing else was hit.
      expect(s.core.pipeline.counters.limitNsLookups).toBeGreaterThan(0);
      expect(s.core.pipeline.counters.limitUpstreamQueries + s.core.pipeline.counters.limitReferrals).toBe(0);
    });
    // Each of at most 8 NS names costs a couple of queries (minimised, then full) to nowhere.net's server.
    expect(servers.nowhere!.queries.length - before).toBeLessThanOrEqual(20);
  });

  it('an authority that goes away after the first answer: serve-stale answers', async () => {
    apply(servers.ns1!, {});
    apply(servers.ns2!, {});
    await withServer({ serveStale: true }, async (_s, listenPort) => {
      const first = await ask('127.0.0.1', listenPort, 'www.example.com', 'A', { edns: true });
      expect(datas(first)).toEqual(['192.0.2.80']);
      await new Promise((r) => setTimeout(r, 2100)); // the 2 s TTL runs out
      servers.ns1!.handler = () => 'drop';
      servers.ns2!.handler = () => 'drop';
      const stale = await ask('127.0.0.1', listenPort, 'www.example.com', 'A', { edns: true });
      expect(stale.rcode).toBe('NOERROR');
      expect(datas(stale)).toEqual(['192.0.2.80']);
      expect((stale.answers![0] as { ttl: number }).ttl).toBe(30);
      const opt = stale.additionals!.find((a) => a.type === 'OPT') as { options: { code: number; data: Buffer }[] };
      expect(opt.options.find((o) => o.code === 15)!.data.readUInt16BE(0)).toBe(3);
    });
  });
});
