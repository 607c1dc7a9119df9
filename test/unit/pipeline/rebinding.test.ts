// The rebinding guard on real packets: private addresses leave answers for public names, stay for private
// domains, and an answer left without records of the asked type is NODATA with EDE 15 saying why.
import { describe, expect, it } from 'vitest';
import { rebindingGuard } from '../../../src/policy/rebinding.js';
import { parseCidr, type Cidr } from '../../../src/util/cidr.js';
import type { WirePacket } from '../../../src/wire/decode.js';
import { authoritative, rr } from '../../helpers/fake-net.js';
import { ednsOpt, makePipeline, query, type TestPipeline } from '../../helpers/pipeline.js';
import { datas, edeOf } from '../../helpers/client.js';

const ROOT = '127.2.0.1';
const EXAMPLE = '127.2.1.1';
const LAN = '127.2.1.2';

const cidrs = (...t: string[]): Cidr[] => t.map((x) => (parseCidr(x) as { ok: true; cidr: Cidr }).cidr);

function setUp(guard = true): TestPipeline {
  const t = makePipeline(ROOT, guard ? { rebindingGuard: rebindingGuard(cidrs('192.168.0.0/16', '10.0.0.0/8', 'fc00::/7'), ['lan']) } : {});
  t.net.on(
    ROOT,
    authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', EXAMPLE), rr.ns('lan', 'ns.lan'), rr.a('ns.lan', LAN)]),
  );
  t.net.on(
    EXAMPLE,
    authoritative('example', [
      rr.ns('example', 'ns.example'),
      rr.a('evil.example', '192.168.1.1'),
      rr.aaaa('evil.example', 'fd00::1'),
      rr.a('mixed.example', '192.168.1.1'),
      rr.a('mixed.example', '203.0.113.5'),
      rr.a('public.example', '203.0.113.6'),
      rr.cname('alias.example', 'nas.lan'),
    ]),
  );
  t.net.on(LAN, authoritative('lan', [rr.ns('lan', 'ns.lan'), rr.a('nas.lan', '192.168.1.10')]));
  return t;
}

const ask = (t: TestPipeline, name: string, type = 'A') => t.ask(query(name, type, { additionals: [ednsOpt()] })) as Promise<WirePacket>;

describe('rebinding guard', () => {
  it('turns a public name pointing into a private range into NODATA with EDE 15 naming the address', async () => {
    const t = setUp();
    const r = await ask(t, 'evil.example');
    expect([r.rcode, datas(r)]).toEqual(['NOERROR', []]);
    expect(edeOf(r)).toEqual({ code: 15, text: 'private address 192.168.1.1 removed from the answer for evil.example (rebinding guard: not in private-domains)' });
    expect(datas(await ask(t, 'evil.example', 'AAAA'))).toEqual([]);
  });

  it('keeps the public addresses of a mixed answer, and leaves public answers alone', async () => {
    const t = setUp();
    expect(datas(await ask(t, 'mixed.example'))).toEqual(['203.0.113.5']);
    const pub = await ask(t, 'public.example');
    expect(datas(pub)).toEqual(['203.0.113.6']);
    expect(edeOf(pub)).toBeNull();
  });

  it('lets private-domains keep private addresses, judged by each record’s owner as Unbound does', async () => {
    const t = setUp();
    expect(datas(await ask(t, 'nas.lan'))).toEqual(['192.168.1.10']);
    // The A record belongs to nas.lan, a private domain, even when reached through a public name's CNAME.
    expect(datas(await ask(t, 'alias.example'))).toEqual(['nas.lan', '192.168.1.10']);
  });

  it('filtered answers are not kept in the answer cache; without the guard private answers pass', async () => {
    const t = setUp();
    await ask(t, 'evil.example');
    await ask(t, 'evil.example');
    expect(t.pipeline.counters.answerCacheHits).toBe(0);
    const off = setUp(false);
    expect(datas(await ask(off, 'evil.example'))).toEqual(['192.168.1.1']);
  });
});
