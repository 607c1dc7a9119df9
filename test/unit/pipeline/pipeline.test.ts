// The client-facing rules (RFC 1035, RFC 6891) and the wire-level answer cache, through the real pipeline.
import * as dnsPacket from 'dns-packet';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalData } from '../../../src/policy/local-data.js';
import { Rcode, type RR } from '../../../src/wire/types.js';
import { authoritative, rr } from '../../helpers/fake-net.js';
import { ednsOpt, LOCAL_TCP, makePipeline, query, type TestPipeline } from '../../helpers/pipeline.js';

const ROOT = '127.2.0.1';
const EXAMPLE = '127.2.1.1';

function withHierarchy(t: TestPipeline, records: RR[] = []): TestPipeline {
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE)]));
  t.net.on(EXAMPLE, authoritative('example', [
    rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE),
    rr.a('www.example', '192.0.2.1'),
    rr.a('pool.example', '192.0.2.11'), rr.a('pool.example', '192.0.2.12'), rr.a('pool.example', '192.0.2.13'), rr.a('pool.example', '192.0.2.14'),
    rr.cname('alias.example', 'pool.example'),
    ...records,
  ]));
  return t;
}


describe('pipeline: client-facing rules', () => {
  let t: TestPipeline;
  beforeEach(() => {
    t = withHierarchy(makePipeline(ROOT));
  });

  it('answers with QR, RA, RD copied, the question echoed as asked and the client ID', async () => {
    const r = (await t.ask(query('WWW.Example')))!;
    expect(r.id).toBe(0xbeef);
    expect(r.flag_qr && r.flag_ra && r.flag_rd).toBe(true);
    expect(r.flag_aa).toBe(false);
    expect(r.questions![0]!.name).toBe('WWW.Example');
    expect(r.answers!.map((a) => (a as { data: string }).data)).toEqual(['192.0.2.1']);
    // RD=0: no recursion and no cache snooping (as Unbound's 'allow'); local data is still answered.
    const noRd = (await t.ask(query('www.example', 'A', { flags: 0 })))!;
    expect(noRd.flag_rd).toBe(false);
    expect(noRd.rcode).toBe('REFUSED');
    expect((await t.ask(query('localhost', 'A', { flags: 0 })))!.rcode).toBe('NOERROR');
  });

  it('drops responses and sub-header junk, answers FORMERR to undecodable queries', async () => {
    expect(await t.ask(Buffer.from([1, 2, 3]))).toBeNull();
    const response = dnsPacket.encode({ type: 'response', id: 5, questions: [{ name: 'www.example', type: 'A' }] });
    expect(await t.ask(response)).toBeNull();
    const broken = Buffer.concat([dnsPacket.encode(query('www.example')).subarray(0, 14)]);
    const r = (await t.ask(broken))!;
    expect(r.rcode).toBe('FORMERR');
    expect(r.id).toBe(0xbeef);
  });

  it('answers NOTIMP to other opcodes and FORMERR to two questions', async () => {
    const notify = dnsPacket.encode(query('www.example'));
    notify[2] = (notify[2]! & 0x87) | (4 << 3); // opcode 4 (NOTIFY)
    expect((await t.ask(notify))!.rcode).toBe('NOTIMP');
    const two = query('www.example');
    two.questions!.push({ name: 'pool.example', type: 'A', class: 'IN' });
    expect((await t.ask(two))!.rcode).toBe('FORMERR');
  });

  it('speaks EDNS only to EDNS clients, advertises 1232, and answers BADVERS to version 1', async () => {
    const plain = (await t.ask(query('www.example')))!;
    expect(plain.additionals).toEqual([]);
    const edns = (await t.ask(query('www.example', 'A', { additionals: [ednsOpt(4096)] })))!;
    const opt = edns.additionals!.find((a) => a.type === 'OPT') as { udpPayloadSize: number };
    expect(opt.udpPayloadSize).toBe(1232);
    const v1 = dnsPacket.encode(query('www.example', 'A', { additionals: [ednsOpt(1232, 0, 1)] }));
    const raw = (await t.pipeline.handle(v1, { address: '127.0.0.1', port: 1, transport: 'udp' }))!;
    const decoded = dnsPacket.decode(raw);
    const ropt = decoded.additionals!.find((a) => a.type === 'OPT') as { extendedRcode: number };
    expect(ropt.extendedRcode).toBe(1); // BADVERS = 16 = extended 1 << 4
  });

  it('refuses clients outside the ACL', async () => {
    const closed = withHierarchy(makePipeline(ROOT, { acl: { allows: (a) => a.startsWith('127.') } }));
    const r = (await closed.ask(query('www.example'), { address: '203.0.113.9', port: 5, transport: 'udp' }))!;
    expect(r.rcode).toBe('REFUSED');
    expect(closed.net.log).toHaveLength(0);
  });

  it('with outside-clients: drop, a client outside the ACL gets no answer at all, cached or not', async () => {
    const closed = withHierarchy(makePipeline(ROOT, { acl: { allows: (a) => a.startsWith('127.') }, outsideClients: 'drop' }));
    const outside = { address: '203.0.113.9', port: 5, transport: 'udp' } as const;
    expect(await closed.ask(query('www.example'), outside)).toBeNull();
    expect((await closed.ask(query('www.example')))!.rcode).toBe('NOERROR');
    expect(await closed.ask(query('www.example'), outside)).toBeNull(); // not from the answer cache either
    expect(closed.net.log.filter((l) => l.to === EXAMPLE).length).toBe(1);
  });

  it('never serves a client outside the ACL from the answer cache, and checks the protocol before the ACL', async () => {
    const closed = withHierarchy(makePipeline(ROOT, { acl: { allows: (a) => a.startsWith('127.') } }));
    const outside = { address: '203.0.113.9', port: 5, transport: 'udp' } as const;
    expect((await closed.ask(query('www.example')))!.rcode).toBe('NOERROR');
    expect(closed.answerCache.size).toBe(1);
    const hits = closed.pipeline.counters.answerCacheHits;
    expect((await closed.ask(query('www.example'), outside))!.rcode).toBe('REFUSED');
    expect(closed.pipeline.counters.answerCacheHits).toBe(hits);
    expect((await closed.ask(query('www.example')))!.rcode).toBe('NOERROR'); // an allowed client still hits
    expect(closed.pipeline.counters.answerCacheHits).toBe(hits + 1);
    // The order of process(): opcode, message shape and EDNS version come before the ACL...
    const notify = dnsPacket.encode(query('www.example'));
    notify[2] = (notify[2]! & 0x87) | (4 << 3);
    expect((await closed.ask(notify, outside))!.rcode).toBe('NOTIMP');
    const two = query('www.example');
    two.questions!.push({ name: 'pool.example', type: 'A', class: 'IN' });
    expect((await closed.ask(two, outside))!.rcode).toBe('FORMERR');
    const v1 = (await closed.pipeline.handle(dnsPacket.encode(query('www.example', 'A', { additionals: [ednsOpt(1232, 0, 1)] })), outside))!;
    expect((dnsPacket.decode(v1).additionals!.find((a) => a.type === 'OPT') as { extendedRcode: number }).extendedRcode).toBe(1);
    // ...and the ACL comes before the question checks: a dotted label is refused without its EDE 21.
    const dotted = Buffer.from('beef010000010000000000010377772e076578616d706c65000001000100002904d0000000000000', 'hex');
    const r = (await closed.pipeline.handle(dotted, outside))!;
    expect(r[3]! & 0x0f).toBe(Rcode.REFUSED);
    expect(r.includes('labels containing dots')).toBe(false);
    expect((await closed.pipeline.handle(dotted, { ...outside, address: '127.0.0.1' }))!.includes('labels containing dots')).toBe(true);
    expect(closed.net.log.filter((e) => e.to === EXAMPLE)).toHaveLength(1);
  });

  it('sends TC=1 over UDP when the answer does not fit, and everything over TCP', async () => {
    const big: RR[] = [];
    for (let i = 0; i < 40; i++) big.push(rr.txt('big.example', `record number ${i} with some padding to make it long`));
    const t2 = withHierarchy(makePipeline(ROOT), big);
    const udp = (await t2.ask(query('big.example', 'TXT')))!;
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    const tcp = (await t2.ask(query('big.example', 'TXT'), LOCAL_TCP))!;
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.answers).toHaveLength(40);
  });
});

describe('pipeline: wire-level answer cache', () => {
  let t: TestPipeline;
  beforeEach(() => {
    t = withHierarchy(makePipeline(ROOT));
  });

  it('serves hits without the resolver, with the new ID, counted-down TTLs and the asker\'s case', async () => {
    await t.ask(query('alias.example'));
    expect(t.answerCache.size).toBe(1);
    const upstream = t.net.log.length;
    t.clock.advance(42_000);
    const hit = (await t.ask(query('ALIAS.example', 'A', { id: 7 })))!;
    expect(t.net.log.length).toBe(upstream);
    expect(hit.id).toBe(7);
    expect(hit.questions![0]!.name).toBe('ALIAS.example');
    expect(hit.answers!.map((a) => a.type)).toEqual(['CNAME', 'A', 'A', 'A', 'A']);
    for (const a of hit.answers!) expect((a as { ttl: number }).ttl).toBeLessThanOrEqual(300 - 42);
  });

  it('rotates A records on hits so every address comes first in turn', async () => {
    const firsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = (await t.ask(query('pool.example')))!;
      const datas = r.answers!.map((a) => (a as { data: string }).data);
      expect([...datas].sort()).toEqual(['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14']);
      firsts.push(datas[0]!);
    }
    expect(new Set(firsts.slice(0, 4)).size).toBe(4);
    expect(firsts.slice(4)).toEqual(firsts.slice(0, 4));
  });

  it('keeps DO/CD and EDNS variants apart', async () => {
    await t.ask(query('www.example'));
    const withEdns = (await t.ask(query('www.example', 'A', { additionals: [ednsOpt()] })))!;
    expect(withEdns.additionals!.some((a) => a.type === 'OPT')).toBe(true);
    const cd = (await t.ask(query('www.example', 'A', { flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED })))!;
    expect(cd.flag_cd).toBe(true);
    expect(t.answerCache.size).toBe(3);
  });

  it('expires entries with the shortest TTL and is emptied by flush', async () => {
    await t.ask(query('www.example'));
    const n = t.net.log.length;
    t.clock.advance(301_000);
    await t.ask(query('www.example'));
    expect(t.net.log.length).toBeGreaterThan(n);
    t.answerCache.flush('www.example');
    expect(t.answerCache.size).toBe(0);
    await t.ask(query('pool.example'));
    t.answerCache.flush();
    expect(t.answerCache.size).toBe(0);
  });

  it('a hit in the last 10% of the TTL refreshes the answer in the background, once', async () => {
    await t.ask(query('www.example'));
    const toExample = (): number => t.net.log.filter((e) => e.to === EXAMPLE).length;
    const before = toExample();
    t.clock.advance(250_000); // 50 of 300 s left: not yet
    await t.ask(query('www.example'));
    await new Promise((r) => setTimeout(r, 10));
    expect(toExample()).toBe(before);
    t.clock.advance(30_000); // 20 s left: inside the last 10%
    const hit = (await t.ask(query('www.example')))!;
    expect((hit.answers![0] as { ttl: number }).ttl).toBeLessThanOrEqual(20);
    await new Promise((r) => setTimeout(r, 10));
    expect(toExample()).toBe(before + 1);
    await t.ask(query('www.example')); // the answer cache asks once per entry
    await new Promise((r) => setTimeout(r, 10));
    expect(toExample()).toBe(before + 1);
  });

  it('does not serve a cached answer bigger than a small client UDP size', async () => {
    const big: RR[] = [];
    for (let i = 0; i < 20; i++) big.push(rr.txt('mid.example', `record number ${i} padding padding`));
    const t2 = withHierarchy(makePipeline(ROOT), big);
    const full = (await t2.ask(query('mid.example', 'TXT', { additionals: [ednsOpt(1232)] })))!;
    expect(full.flag_tc).toBe(false);
    const small = (await t2.ask(query('mid.example', 'TXT', { additionals: [ednsOpt(512)] })))!;
    expect(small.flag_tc).toBe(true);
  });

  it('keeps local-zone answers, which do not depend on the client, for the hot path', async () => {
    const first = (await t.ask(query('localhost')))!;
    expect(first.flag_aa).toBe(true);
    const hits = t.pipeline.counters.answerCacheHits;
    const again = (await t.ask(query('LocalHost')))!;
    expect(t.pipeline.counters.answerCacheHits).toBe(hits + 1);
    expect(again.flag_aa).toBe(true);
    expect(again.questions![0]!.name).toBe('LocalHost');
    expect(again.answers!.map((a) => (a as { data: string }).data)).toEqual(['127.0.0.1']);
  });

  it('never sends a cached local answer upstream to refresh it: a hit near expiry stays local', async () => {
    await t.ask(query('localhost'));
    const hits = t.pipeline.counters.answerCacheHits;
    t.clock.advance(10_000_000); // 800 of 10800 s left: inside the last 10%, where resolver answers are refreshed
    const again = (await t.ask(query('localhost')))!;
    expect(t.pipeline.counters.answerCacheHits).toBe(hits + 1);
    expect((again.answers![0] as { ttl: number }).ttl).toBeLessThanOrEqual(800);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.net.log).toEqual([]);
  });

  it('answers local data with AA from the hot path too, never refreshing it upstream', async () => {
    const data = new LocalData();
    data.add({ name: 'nas.lan', type: 'A', class: 'IN', ttl: 300, data: '192.168.1.10' });
    const lt = withHierarchy(makePipeline(ROOT, { localData: data }));
    const first = (await lt.ask(query('nas.lan')))!;
    expect(first.flag_aa).toBe(true);
    expect(first.answers!.map((a) => (a as { data: string }).data)).toEqual(['192.168.1.10']);
    const hits = lt.pipeline.counters.answerCacheHits;
    lt.clock.advance(290_000); // 10 of 300 s left
    const again = (await lt.ask(query('NAS.lan')))!;
    expect(lt.pipeline.counters.answerCacheHits).toBe(hits + 1);
    expect(again.flag_aa).toBe(true);
    expect(again.questions![0]!.name).toBe('NAS.lan');
    await new Promise((r) => setTimeout(r, 10));
    expect(lt.net.log).toEqual([]);
    // a name below it is not local: resolved upstream
    expect((await lt.ask(query('x.nas.lan')))!.flag_aa).toBe(false);
    expect(lt.net.log.length).toBeGreaterThan(0);
  });

  it('caches NXDOMAIN answers too', async () => {
    const r = (await t.ask(query('nope.example')))!;
    expect(r.rcode).toBe('NXDOMAIN');
    const n = t.net.log.length;
    const again = (await t.ask(query('nope.example')))!;
    expect(again.rcode).toBe('NXDOMAIN');
    expect(again.authorities![0]!.type).toBe('SOA');
    expect(t.net.log.length).toBe(n);
    expect(Rcode.NXDOMAIN).toBe(3);
  });

  it('caps the negative TTL at max-negative-ttl on the first answer and on cached ones (RFC 2308 §5)', async () => {
    // The fake zone's SOA has MINIMUM 300.
    const capped = withHierarchy(makePipeline(ROOT, { config: { maxNegativeTtl: 60 } }));
    const soaTtl = (p: Awaited<ReturnType<TestPipeline['ask']>>): number => (p!.authorities![0] as { ttl: number }).ttl;
    const first = await capped.ask(query('nope.example'));
    expect(first!.rcode).toBe('NXDOMAIN');
    expect(soaTtl(first)).toBe(60);
    const nodata = await capped.ask(query('www.example', 'TXT'));
    expect(soaTtl(nodata)).toBe(60);
    capped.clock.advance(10_000);
    const cached = await capped.ask(query('nope.example'));
    expect(soaTtl(cached)).toBeLessThanOrEqual(50);
    capped.clock.advance(51_000);
    const n = capped.net.log.length;
    const expired = await capped.ask(query('nope.example'));
    expect(soaTtl(expired)).toBe(60);
    expect(capped.net.log.length).toBeGreaterThan(n);
  });
});

describe('pipeline: hostile input', () => {
  it('never throws and never answers with anything undecodable, for random and mutated packets', async () => {
    const t = withHierarchy(makePipeline(ROOT));
    const { SeededRandom } = await import('../../../src/util/random.js');
    const rnd = new SeededRandom(2024);
    const valid = dnsPacket.encode(query('www.example', 'A', { additionals: [ednsOpt()] }));
    for (let i = 0; i < 2000; i++) {
      let bytes: Buffer;
      if (i % 2 === 0) {
        bytes = Buffer.alloc(rnd.below(80));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd.below(256);
      } else {
        bytes = Buffer.from(valid);
        for (let k = 0; k < 1 + rnd.below(4); k++) bytes[rnd.below(bytes.length)] = rnd.below(256);
        if (rnd.below(4) === 0) bytes = bytes.subarray(0, rnd.below(bytes.length));
      }
      bytes[2] = bytes.length > 2 ? bytes[2]! & 0x7f : 0; // a query, not a response
      const out = await t.pipeline.handle(bytes, { address: '127.0.0.1', port: 1, transport: 'udp' });
      if (out) {
        expect(out.length).toBeGreaterThanOrEqual(12);
        expect(out.readUInt16BE(0)).toBe(bytes.readUInt16BE(0));
        expect(out[2]! & 0x80).toBe(0x80);
        const { decodePacket } = await import('../../../src/wire/decode.js');
        expect(decodePacket(out).ok, out.toString('hex')).toBe(true);
      }
    }
  });
});

describe('pipeline: names it cannot carry', () => {
  it('answers REFUSED with EDE 21 for a label containing a dot', async () => {
    const t = withHierarchy(makePipeline(ROOT));
    const bytes = Buffer.from('beef010000010000000000010377772e076578616d706c65000001000100002904d0000000000000', 'hex');
    const r = (await t.ask(bytes))!;
    expect(r.rcode).toBe('REFUSED');
    const opt = r.additionals!.find((a) => a.type === 'OPT') as { options: { code: number; data: Buffer }[] };
    expect(opt.options[0]!.data.readUInt16BE(0)).toBe(21);
  });
});
