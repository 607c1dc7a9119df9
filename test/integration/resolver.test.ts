// The real rootline server on loopback, resolving through real authoritative servers on 127.6.x.y addresses:
// referrals, glue and glueless delegations, CNAME chains and loops, negatives, bad servers, spoofing,
// poisoning, TCP fallback, cache TTL countdown and round-robin — with real packets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { RR } from '../../src/wire/types.js';
import { ask, datas } from '../helpers/client.js';
import { authoritative, reply, rr, type Handler } from '../helpers/fake-net.js';
import { freePortOn, serveOnLoopback, type LoopbackServer } from '../helpers/loopback-auth.js';

const IP = {
  root: '127.6.0.1',
  com: '127.6.1.1',
  net: '127.6.1.2',
  org: '127.6.1.3',
  ns1: '127.6.2.1',
  ns2: '127.6.2.2',
  provider: '127.6.2.3',
  cdn: '127.6.2.4',
};

const bigTxt: RR[] = Array.from({ length: 40 }, (_, i) => rr.txt('big.example.com', `line ${i} of a long answer that does not fit in one UDP datagram`));
const exampleZone: RR[] = [
  rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'),
  rr.a('ns1.example.com', IP.ns1), rr.a('ns2.example.com', IP.ns2),
  rr.a('www.example.com', '192.0.2.80', 300),
  rr.aaaa('www.example.com', '2001:db8::80'),
  { name: 'example.com', type: 'MX', class: 'IN', ttl: 300, data: { preference: 10, exchange: 'mail.example.com' } },
  rr.a('mail.example.com', '192.0.2.25'),
  rr.txt('example.com', 'v=spf1 -all'),
  rr.cname('chain.example.com', 'edge.provider.net'),
  rr.cname('loop.example.com', 'loop.provider.net'),
  ...['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].map((ip) => rr.a('pool.example.com', ip)),
  ...bigTxt,
];

function withTruncation(inner: Handler): Handler {
  // Like a real server: an answer too big for UDP goes out with TC=1 and no records.
  return async (q, o) => {
    const r = await inner(q, o);
    if (!o.tcp && typeof r === 'object' && !Buffer.isBuffer(r) && (r.answers?.length ?? 0) > 20) return { type: 'response', flags: 0x0400 | 0x0200 };
    return r;
  };
}

describe('rootline against a loopback hierarchy', () => {
  const servers: Record<string, LoopbackServer> = {};
  let port = 0;
  let hintsFile = '';
  let server: RunningServer;
  let listenPort = 0;

  const handlers = (): Record<keyof typeof IP, Handler> => ({
    root: authoritative('.', [
      rr.ns('.', 'a.root.lab'), rr.a('a.root.lab', IP.root),
      rr.ns('com', 'a.gtld.lab'), rr.ns('net', 'a.gtld.lab'), rr.ns('org', 'b.gtld.lab'),
      rr.ns('lab', 'a.root.lab'),
      rr.a('a.gtld.lab', IP.com), rr.a('b.gtld.lab', IP.org),
    ]),
    com: (q, o) =>
      q.questions![0]!.name.toLowerCase().endsWith('net') && !q.questions![0]!.name.toLowerCase().endsWith('.com')
        ? authoritative('net', [rr.ns('provider.net', 'ns.provider.net'), rr.a('ns.provider.net', IP.provider)])(q, o)
        : authoritative('com', [
            rr.ns('example.com', 'ns1.example.com'), rr.ns('example.com', 'ns2.example.com'),
            rr.a('ns1.example.com', IP.ns1), rr.a('ns2.example.com', IP.ns2),
            rr.ns('glueless.com', 'ns.provider.net'),
          ])(q, o),
    net: authoritative('net', []),
    org: authoritative('org', [rr.ns('cdn.org', 'ns.cdn.org'), rr.a('ns.cdn.org', IP.cdn)]),
    ns1: withTruncation(authoritative('example.com', exampleZone)),
    ns2: withTruncation(authoritative('example.com', exampleZone)),
    provider: (q, o) =>
      q.questions![0]!.name.toLowerCase().endsWith('glueless.com')
        ? authoritative('glueless.com', [rr.ns('glueless.com', 'ns.provider.net'), rr.a('www.glueless.com', '203.0.113.10')])(q, o)
        : authoritative('provider.net', [
            rr.ns('provider.net', 'ns.provider.net'), rr.a('ns.provider.net', IP.provider),
            rr.cname('edge.provider.net', 'www.cdn.org'), rr.a('www.provider.net', '198.51.100.1'),
            rr.cname('loop.provider.net', 'loop.example.com'),
          ])(q, o),
    cdn: authoritative('cdn.org', [rr.ns('cdn.org', 'ns.cdn.org'), rr.a('www.cdn.org', '198.51.100.99')]),
  });

  beforeAll(async () => {
    port = await freePortOn(Object.values(IP));
    const h = handlers();
    for (const [name, address] of Object.entries(IP)) servers[name] = await serveOnLoopback(address, port, h[name as keyof typeof IP]);
    const dir = mkdtempSync(join(tmpdir(), 'rootline-int-'));
    hintsFile = join(dir, 'named.root');
    writeFileSync(hintsFile, `. 3600000 NS a.root.lab.\na.root.lab. 3600000 A ${IP.root}\n`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  const start = async (extra: Partial<Config> = {}): Promise<void> => {
    const config: Config = {
      ...DEFAULTS,
      listen: ['127.0.0.1:0'],
      rootHints: hintsFile, dnssecValidation: false,
      upstreamPort: port,
      upstreamTimeoutMs: 250,
      queryTimeoutMs: 3000,
      serveStale: false,
      ...extra,
    };
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    listenPort = Number(server.addresses[0]!.split(':')[1]);
  };

  beforeEach(async () => {
    const h = handlers();
    for (const [name, s] of Object.entries(servers)) {
      s.handler = h[name as keyof typeof IP];
      s.spoofSourcePort = false;
      s.delayMs = 0;
      s.queries.length = 0;
    }
    await start();
  });

  afterEach(async () => {
    await server.close();
  });

  const q = (name: string, type = 'A', o = {}) => ask('127.0.0.1', listenPort, name, type, o);

  it('answers A, AAAA, MX, TXT and NS by walking root → TLD → authoritative', async () => {
    expect(datas(await q('www.example.com'))).toEqual(['192.0.2.80']);
    expect(datas(await q('www.example.com', 'AAAA'))).toEqual(['2001:db8::80']);
    const mx = await q('example.com', 'MX');
    expect((mx.answers![0] as { data: { exchange: string } }).data.exchange).toBe('mail.example.com');
    const txt = await q('example.com', 'TXT', { tcp: true });
    expect(String((txt.answers![0] as { data: Buffer[] }).data[0])).toBe('v=spf1 -all');
    expect(datas(await q('example.com', 'NS')).sort()).toEqual(['ns1.example.com', 'ns2.example.com']);
    expect(servers.root!.queries.length).toBeGreaterThan(0);
    expect(servers.com!.queries.length).toBeGreaterThan(0);
  });

  it('resolves a glueless delegation', async () => {
    expect(datas(await q('www.glueless.com'))).toEqual(['203.0.113.10']);
  });

  it('follows a CNAME chain across zones and TLDs and returns all of it', async () => {
    const r = await q('chain.example.com');
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers!.map((a) => `${a.name} ${a.type}`)).toEqual(['chain.example.com CNAME', 'edge.provider.net CNAME', 'www.cdn.org A']);
  });

  it('answers SERVFAIL with an explaining EDE for a CNAME loop', async () => {
    const r = await q('loop.example.com', 'A', { edns: true });
    expect(r.rcode).toBe('SERVFAIL');
    const opt = r.additionals!.find((a) => a.type === 'OPT') as { options: { code: number; data: Buffer }[] };
    const ede = opt.options.find((o) => o.code === 15)!;
    expect(ede.data.subarray(2).toString()).toMatch(/CNAME loop/);
  });

  it('returns NXDOMAIN and NODATA with the zone SOA', async () => {
    const nx = await q('nothing.example.com');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities!.map((a) => `${a.name} ${a.type}`)).toEqual(['example.com SOA']);
    const nodata = await q('mail.example.com', 'AAAA');
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answers).toEqual([]);
    expect(nodata.authorities![0]!.type).toBe('SOA');
  });

  it('moves on from a server that times out', async () => {
    servers.ns1!.handler = () => 'drop';
    for (const name of ['www.example.com', 'mail.example.com', 'pool.example.com']) {
      expect((await q(name)).rcode).toBe('NOERROR');
    }
  });

  it('moves on from a lame server (REFUSED) and from one that sends garbage', async () => {
    servers.ns1!.handler = () => reply.rcode(5);
    servers.ns2!.handler = () => Buffer.from('this is not DNS at all');
    const r = await q('www.example.com', 'A', { edns: true });
    expect(r.rcode).toBe('SERVFAIL');
    servers.ns2!.handler = handlers().ns2;
    expect(datas(await q('mail.example.com'))).toEqual(['192.0.2.25']);
  });

  it('retries over TCP when an upstream answer is truncated, and truncates for small clients itself', async () => {
    const full = await q('big.example.com', 'TXT', { tcp: true });
    expect(full.answers).toHaveLength(40);
    expect(servers.ns1!.queries.concat(servers.ns2!.queries).some((x) => x.tcp)).toBe(true);
    const udp = await q('big.example.com', 'TXT');
    expect(udp.flag_tc).toBe(true);
  });

  it('ignores spoofed answers from the wrong source port or with the wrong ID', async () => {
    servers.ns1!.spoofSourcePort = true;
    servers.ns1!.handler = () => reply.answer([rr.a('www.example.com', '6.6.6.6')]);
    servers.ns2!.handler = (query, o) => ({ ...(authoritative('example.com', exampleZone)(query, o) as object), id: ((query.id ?? 0) + 1) & 0xffff });
    const r = await q('www.example.com');
    expect(r.rcode).toBe('SERVFAIL');
    expect(datas(r)).not.toContain('6.6.6.6');
    servers.ns1!.spoofSourcePort = false;
    servers.ns1!.handler = handlers().ns1;
    servers.ns2!.handler = handlers().ns2;
    expect(datas(await q('www.example.com'))).toEqual(['192.0.2.80']);
  });

  it('never caches out-of-bailiwick records (poisoning attempt)', async () => {
    const honest = authoritative('example.com', exampleZone);
    const poison: Handler = (query, o) => {
      const r = honest(query, o) as { additionals?: unknown[] };
      return { ...r, additionals: [rr.a('www.provider.net', '6.6.6.6'), rr.a('www.cdn.org', '6.6.6.6')] } as never;
    };
    servers.ns1!.handler = poison;
    servers.ns2!.handler = poison;
    await q('www.example.com');
    expect(datas(await q('www.provider.net'))).toEqual(['198.51.100.1']);
    expect(datas(await q('www.cdn.org'))).toEqual(['198.51.100.99']);
  });

  it('serves cache hits with TTLs counting down, without asking upstream again', async () => {
    const first = await q('www.example.com');
    const asked = servers.ns1!.queries.length + servers.ns2!.queries.length;
    await new Promise((r) => setTimeout(r, 2100));
    const second = await q('www.example.com');
    expect(servers.ns1!.queries.length + servers.ns2!.queries.length).toBe(asked);
    expect((second.answers![0] as { ttl: number }).ttl).toBeLessThanOrEqual((first.answers![0] as { ttl: number }).ttl - 2);
  });

  it('rotates A records round-robin over successive queries (UDP and TCP)', async () => {
    const firsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await q('pool.example.com', 'A', { tcp: i % 2 === 1 });
      expect(datas(r).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
      firsts.push(datas(r)[0]!);
    }
    expect(new Set(firsts.slice(0, 4)).size).toBe(4);
  });
});
