// Every resolver limit, hit on purpose: the answer is SERVFAIL (with an EDE naming the limit) or a drop, and the
// number of upstream queries stays bounded.
import { describe, expect, it } from 'vitest';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, reply, rr, type Reply } from '../helpers/fake-net.js';
import { makePipeline, query } from '../helpers/pipeline.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.5.0.1';
const AUTH = '127.5.1.1';

describe('resolver limits', () => {
  it('max-referrals: a delegation chain deeper than the limit fails', async () => {
    const t = makeResolver(ROOT, { config: { maxReferrals: 3, qnameMinimisation: false } });
    // Each level delegates one label further down to the next server: a.b.c.d.e.deep.
    const labels = ['deep', 'e.deep', 'd.e.deep', 'c.d.e.deep', 'b.c.d.e.deep', 'a.b.c.d.e.deep'];
    const servers = labels.map((_, i) => `127.5.2.${i + 1}`);
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('deep', 'ns.deep'), rr.a('ns.deep', servers[0]!)]));
    labels.forEach((zone, i) => {
      const child = labels[i + 1];
      const recs: RR[] = [rr.ns(zone, `ns.${zone}`)];
      if (child) recs.push(rr.ns(child, `ns.${child}`), rr.a(`ns.${child}`, servers[i + 1]!));
      else recs.push(rr.a(`www.${zone}`, '192.0.2.1'));
      t.net.on(servers[i]!, authoritative(zone, recs));
    });
    const r = await t.resolver.resolve({ name: 'www.a.b.c.d.e.deep', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/more than 3 referrals/);
    expect(t.net.log.length).toBeLessThanOrEqual(6);
  });

  it('max-upstream-queries: one client query may not send more than the limit', async () => {
    const t = makeResolver(ROOT, { config: { maxUpstreamQueries: 2 } });
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH)]));
    t.net.on(AUTH, () => 'drop');
    const r = await t.resolver.resolve({ name: 'www.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/upstream query limit of 2 reached while asking example for www\.example/);
    expect(t.net.log.filter((l) => l.name.toLowerCase() !== '.').length).toBeLessThanOrEqual(2);
  });

  it('max-rrset-size: a reply with a huge RRset is not used or cached', async () => {
    const t = makeResolver(ROOT, { config: { maxRrsetSize: 100 } });
    const huge: RR[] = Array.from({ length: 150 }, (_, i) => rr.a('big.example', `10.0.${i >> 8}.${i & 255}`));
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH)]));
    t.net.on(AUTH, authoritative('example', [rr.ns('example', 'ns.example'), ...huge]));
    const r = await t.resolver.resolve({ name: 'big.example', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/RRset larger than 100/);
    expect(t.rrsets.get('big.example', 'A', 1)).toBeNull();
  });

  it('max-outstanding-per-zone and max-outstanding: a query past the limit waits for a slot, and fails only when its budget runs out', async () => {
    for (const config of [{ maxOutstandingPerZone: 1 }, { maxOutstanding: 1 }]) {
      const t = makeResolver(ROOT, { config: { ...config, serveStale: false } });
      t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH)]));
      await t.resolver.resolve({ name: 'example', type: 'NS', class: 'IN' }); // prime and learn the delegation
      const held: ((r: Reply) => void)[] = [];
      const zone = authoritative('example', [rr.ns('example', 'ns.example'), rr.a('a.example', '192.0.2.1'), rr.a('b.example', '192.0.2.2'), rr.a('c.example', '192.0.2.3')]);
      t.net.on(AUTH, (q, o) => new Promise<Reply>((resolve) => held.push(() => resolve(zone(q, o)))));
      const settle = () => new Promise((r) => setImmediate(r));

      // The second waits while the first holds the only slot, and goes as soon as it frees.
      const first = t.resolver.resolve({ name: 'a.example', type: 'A', class: 'IN' });
      await settle();
      const second = t.resolver.resolve({ name: 'b.example', type: 'A', class: 'IN' });
      await settle();
      expect(held).toHaveLength(1);
      held.shift()!(reply.rcode(0));
      await settle();
      expect(held).toHaveLength(1);
      held.shift()!(reply.rcode(0));
      expect([(await first).rcode, (await second).rcode]).toEqual([Rcode.NOERROR, Rcode.NOERROR]);

      // A query whose budget runs out while waiting fails, naming the limit.
      const blocker = t.resolver.resolve({ name: 'c.example', type: 'A', class: 'IN' });
      await settle();
      const starved = t.resolver.resolve({ name: 'd.example', type: 'A', class: 'IN' });
      await settle();
      t.clock.advance(4_000);
      const r = await starved;
      expect(r.rcode).toBe(Rcode.SERVFAIL);
      expect(r.ede?.text).toMatch(/already in flight \(limit 1\), waited \d+ ms for a slot/);
      for (const h of held.splice(0)) h(reply.rcode(0));
      await blocker;
    }
  });

  it('max-subquery-depth: glueless delegations nested deeper than the limit fail, naming the limit', async () => {
    // zone0 is served by ns.zone1, zone1 by ns.zone2, … zone5 by ns.last (glue at the root): each NS name needs a
    // side resolution of its own, nested one level deeper each time.
    const depth = 5;
    const servers = Array.from({ length: depth + 1 }, (_, i) => `127.5.3.${i + 1}`);
    const rootData: RR[] = [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT)];
    for (let i = 0; i < depth; i++) rootData.push(rr.ns(`zone${i}`, `ns.zone${i + 1}`));
    rootData.push(rr.ns(`zone${depth}`, 'ns.last'), rr.a('ns.last', servers[depth]!));
    const setUp = (maxSubqueryDepth: number) => {
      const t = makeResolver(ROOT, { config: { maxSubqueryDepth, qnameMinimisation: false } });
      t.net.on(ROOT, authoritative('.', rootData));
      for (let i = 0; i <= depth; i++) {
        const recs: RR[] = [rr.ns(`zone${i}`, i < depth ? `ns.zone${i + 1}` : 'ns.last'), rr.a(`www.zone${i}`, '192.0.2.1')];
        if (i > 0) recs.push(rr.a(`ns.zone${i}`, servers[i - 1]!));
        t.net.on(servers[i]!, authoritative(`zone${i}`, recs));
      }
      return t;
    };
    const shallow = setUp(3);
    const r = await shallow.resolver.resolve({ name: 'www.zone0', type: 'A', class: 'IN' });
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.text).toMatch(/nested deeper than 3/);
    const deep = setUp(6);
    expect((await deep.resolver.resolve({ name: 'www.zone0', type: 'A', class: 'IN' })).answer.map((a) => a.data)).toEqual(['192.0.2.1']);
  });

  it('max-client-queries: past the limit, new client queries are dropped', async () => {
    const t = makePipeline(ROOT, { maxClientQueries: 1 });
    let release: () => void = () => undefined;
    let hold = true;
    t.net.on(ROOT, () => (hold ? new Promise<Reply>((resolve) => { release = () => resolve('drop'); }) : 'drop'));
    const first = t.ask(query('one.example'));
    await new Promise((r) => setImmediate(r));
    expect(await t.ask(query('two.example'))).toBeNull();
    hold = false;
    release();
    expect((await first)!.rcode).toBe('SERVFAIL');
  });
});
