// The validator behind the iterator's hook on a signed hierarchy (FakeNet + the lab's DNSSEC-aware answerer):
// secure answers with their RRSIGs, each way a chain breaks with its EDE, unsigned delegations proven by NSEC and
// NSEC3, CD=1, bogus data cached briefly, the RFC 9276 and KeyTrap bounds.
import type { DnskeyData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AggressiveNsec } from '../../src/dnssec/aggressive.js';
import { parseTrustAnchors, TrustAnchors } from '../../src/dnssec/anchors.js';
import { DnssecValidator, type ValidatorLimits } from '../../src/dnssec/validator.js';
import { expiredWindow, futureWindow, signZone, withDelegationDs, type SignedZone, type SignZoneOptions } from '../../src/dnssec/zone-signer.js';
import { signRrset, windowAround, type SignatureWindow } from '../../src/dnssec/sign.js';
import { answerQuery, zone, type Zone } from '../../src/lab/answerer.js';
import { RecordingTrace } from '../../src/resolver/trace.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '10.0.0.1';
const AUTH = '10.0.1.1';
const UNSIGNED = '10.0.1.2';
const soa = (ns: string) => `@ 3600 SOA ${ns} hostmaster 1 7200 900 1209600 300`;

interface Lab {
  t: TestResolver;
  validator: DnssecValidator;
  ranges: AggressiveNsec;
}

/** root (signed) → example (signed, options apply) and unsigned (no DS, NSEC at the cut). */
function hierarchy(o: { exampleDs?: (ds: RR[]) => RR[]; insecure?: string[]; example?: Partial<SignZoneOptions>; rootDenial?: SignZoneOptions['denial']; limits?: Partial<ValidatorLimits>; nsec3Iterations?: number; tweak?: (z: SignedZone, window: SignatureWindow) => void } = {}): Lab {
  const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: true } });
  const now = t.clock.nowMs();
  const window = windowAround(now);
  const example = signZone(
    zone('example', [soa('ns.example.'), '@ NS ns', `ns A ${AUTH}`, 'www A 192.0.2.1', 'www AAAA 2001:db8::1', 'alias CNAME www', '*.wild TXT from-the-wildcard']),
    { denial: o.nsec3Iterations !== undefined ? { nsec3: { iterations: o.nsec3Iterations, salt: Buffer.alloc(0), optOut: false } } : 'nsec', window, ...o.example },
  );
  o.tweak?.(example, window);
  const unsigned = zone('unsigned', [soa('ns.unsigned.'), '@ NS ns', `ns A ${UNSIGNED}`, 'www A 192.0.2.2']);
  const rootZone = withDelegationDs(
    zone('.', ['@ 3600 SOA a.root.test. hostmaster 1 7200 900 1209600 300', '@ NS a.root.test.', `a.root.test. A ${ROOT}`, 'example NS ns.example.', `ns.example. A ${AUTH}`, 'unsigned NS ns.unsigned.', `ns.unsigned. A ${UNSIGNED}`]),
    'example',
    o.exampleDs ? o.exampleDs(example.ds) : example.ds,
  );
  const root = signZone(rootZone, { denial: o.rootDenial ?? 'nsec', window });
  const serve = (zones: Zone[]) => (q: Parameters<typeof answerQuery>[1]) => answerQuery(zones, q);
  t.net.on(ROOT, serve([root.zone])).on(AUTH, serve([example.zone])).on(UNSIGNED, serve([unsigned]));
  const anchors = new TrustAnchors(parseTrustAnchors(root.ds.map((r) => `. DS ${dsText(r)}`).join('\n')));
  const validator = new DnssecValidator({ anchors, clock: t.clock, ...(o.limits ? { limits: o.limits } : {}), ...(o.insecure ? { insecure: o.insecure } : {}) });
  // The resolver of makeResolver has no validator: rebuild with one on the same net and clock.
  const ranges = new AggressiveNsec(t.clock);
  return { t: makeResolver(ROOT, { config: { serveStale: false }, validator, net: t.net, clock: t.clock, synthesiser: ranges }), validator, ranges };
}

function dsText(r: RR): string {
  const d = r.data as { keyTag: number; algorithm: number; digestType: number; digest: Buffer };
  return `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest.toString('hex')}`;
}

const q = (name: string, type = 'A') => ({ name, type, class: 'IN' as const });

describe('DNSSEC validation on a signed hierarchy', () => {
  it('a signed answer is secure, carries its RRSIG, and the trace shows the chain of trust', async () => {
    const { t } = hierarchy();
    const trace = new RecordingTrace();
    const r = await t.resolver.resolve(q('www.example'), trace);
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.security).toBe('secure');
    expect(r.dnssec?.answer.map((x) => x.type)).toEqual(['RRSIG']);
    const chain = trace.events.filter((e) => e.kind === 'dnssec').map((e) => e.kind === 'dnssec' && `${e.zone} ${e.check} ${e.result}`);
    expect(chain).toEqual(expect.arrayContaining(['. dnskey secure', 'example ds secure', 'example dnskey secure', 'example rrsig secure']));
    // From the cache: still secure, with the RRSIG, and nothing asked again.
    const asked = t.net.log.length;
    const again = await t.resolver.resolve(q('www.example'));
    expect(again.security).toBe('secure');
    expect(again.dnssec?.answer).toHaveLength(1);
    expect(t.net.log.length).toBe(asked);
  });

  it('CNAMEs and wildcard expansions are secure with their proofs; NXDOMAIN and NODATA are proven by NSEC', async () => {
    const { t } = hierarchy();
    expect((await t.resolver.resolve(q('alias.example'))).security).toBe('secure');
    const wild = await t.resolver.resolve(q('anything.wild.example', 'TXT'));
    expect(wild.security).toBe('secure');
    expect(wild.dnssec?.authority.some((x) => x.type === 'NSEC')).toBe(true);
    const nx = await t.resolver.resolve(q('nope.example'));
    expect([nx.rcode, nx.security]).toEqual([Rcode.NXDOMAIN, 'secure']);
    expect(nx.dnssec?.authority.filter((x) => x.type === 'NSEC').length).toBeGreaterThan(0);
    const nodata = await t.resolver.resolve(q('www.example', 'MX'));
    expect([nodata.rcode, nodata.security, nodata.answer.length]).toEqual([Rcode.NOERROR, 'secure', 0]);
  });

  it('NSEC3 denials are proven too; above 150 iterations the answer is insecure (RFC 9276), not bogus', async () => {
    const { t } = hierarchy({ nsec3Iterations: 5 });
    const nx = await t.resolver.resolve(q('nope.example'));
    expect([nx.rcode, nx.security]).toEqual([Rcode.NXDOMAIN, 'secure']);
    const costly = hierarchy({ nsec3Iterations: 151 });
    const r = await costly.t.resolver.resolve(q('nope.example'));
    expect([r.rcode, r.security, r.ede?.code]).toEqual([Rcode.NXDOMAIN, 'insecure', 27]);
  });

  it('an unsigned delegation proven by the parent NSEC is insecure, without a separate DS query', async () => {
    const { t } = hierarchy();
    const r = await t.resolver.resolve(q('www.unsigned'));
    expect([r.rcode, r.security]).toEqual([Rcode.NOERROR, 'insecure']);
    expect(t.net.log.filter((l) => l.type === 'DS' && l.name.toLowerCase() === 'unsigned')).toHaveLength(0);
  });

  it.each([
    ['a corrupt signature', 6, { corruptRrsigs: [{ name: 'www.example', type: 'A' }] }],
    ['a missing signature', 10, { stripRrsigs: [{ name: 'www.example', type: 'A' }] }],
    ['expired signatures', 7, { window: expiredWindow(1_700_000_000_000) }],
    ['signatures not yet valid', 8, { window: futureWindow(1_700_000_000_000) }],
    ['a DS matching no key', 9, { ds: 'unknown-key' as const }],
  ])('%s: SERVFAIL with EDE %i naming the zone; CD=1 gets the data, never marked secure', async (_what, ede, example) => {
    const { t } = hierarchy({ example });
    const r = await t.resolver.resolve(q('www.example'));
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.code).toBe(ede);
    expect(r.ede?.text).toMatch(/example/);
    const cd = await t.resolver.resolve(q('www.example'), undefined, { checkingDisabled: true });
    expect(cd.rcode).toBe(Rcode.NOERROR);
    expect(cd.answer.map((x) => x.data)).toEqual(['192.0.2.1']);
    expect(cd.security).not.toBe('secure');
  });

  it.each([
    ['algorithm', 1, { algorithm: 253 }],
    ['digest type', 2, { digestType: 200 }],
  ])('a DS with an unsupported %s makes the zone insecure with EDE %i (RFC 4035 §5.2, RFC 6840 §5.2)', async (_what, ede, change) => {
    const { t } = hierarchy({ exampleDs: (ds) => ds.map((r) => ({ ...r, data: { ...(r.data as object), ...change } })) });
    const r = await t.resolver.resolve(q('www.example'));
    expect([r.rcode, r.security, r.ede?.code]).toEqual([Rcode.NOERROR, 'insecure', ede]);
    const again = await t.resolver.resolve(q('www.example'));
    expect([again.security, again.ede?.code]).toEqual(['insecure', ede]);
  });

  it('RFC 8198: a name inside a cached, validated NSEC gap is denied from the cache, securely, without a query', async () => {
    const { t, ranges } = hierarchy();
    const first = await t.resolver.resolve(q('nope.example'));
    expect([first.rcode, first.security]).toEqual([Rcode.NXDOMAIN, 'secure']);
    const asked = t.net.log.length;
    const trace = new RecordingTrace();
    // Same gap between the NSEC owners (alias.example < nope.example < www.example… as the chain orders them).
    const other = await t.resolver.resolve(q('nope2.example'), trace);
    expect([other.rcode, other.security]).toEqual([Rcode.NXDOMAIN, 'secure']);
    expect(other.dnssec?.authority.some((r) => r.type === 'NSEC')).toBe(true);
    expect(t.net.log.length).toBe(asked);
    expect(ranges.tallies.synthesised).toBe(1);
    expect(trace.events.some((e) => e.kind === 'cache' && e.synthesised === true)).toBe(true);
    // A name that exists is never denied by it; after its negative TTL the gap is asked again.
    expect((await t.resolver.resolve(q('www.example'))).rcode).toBe(Rcode.NOERROR);
    t.clock.advance(301_000);
    await t.resolver.resolve(q('nope3.example'));
    expect(t.net.log.length).toBeGreaterThan(asked);
  });

  it('a negative trust anchor (domain-insecure, a forward zone) makes a broken zone insecure instead of bogus', async () => {
    const { t } = hierarchy({ insecure: ['example'], example: { corruptRrsigs: [{ name: 'www.example', type: 'A' }] } });
    const r = await t.resolver.resolve(q('www.example'));
    expect([r.rcode, r.security]).toEqual([Rcode.NOERROR, 'insecure']);
    expect(t.net.log.filter((l) => (l.type === 'DNSKEY' || l.type === 'DS') && l.name.toLowerCase() === 'example')).toHaveLength(0);
  });

  it('bogus data is kept for bogus-ttl: the next query fails without asking again', async () => {
    const { t } = hierarchy({ example: { corruptRrsigs: [{ name: 'www.example', type: 'A' }] } });
    await t.resolver.resolve(q('www.example'));
    const asked = t.net.log.length;
    const again = await t.resolver.resolve(q('www.example'));
    expect([again.rcode, again.ede?.code]).toEqual([Rcode.SERVFAIL, 6]);
    expect(t.net.log.length).toBe(asked);
    t.clock.advance(61_000);
    await t.resolver.resolve(q('www.example'));
    expect(t.net.log.length).toBeGreaterThan(asked);
  });

  it('a denial without its NSEC records is bogus (EDE 12)', async () => {
    const { t } = hierarchy();
    const inner = t.net;
    const plain = (inner as unknown as { handlers: Map<string, (q: unknown, o: unknown) => unknown> }).handlers.get(AUTH)!;
    inner.on(AUTH, async (query, o) => {
      const reply = (await plain(query, o)) as { authorities?: { type: string }[] };
      return { ...reply, authorities: (reply.authorities ?? []).filter((r) => r.type !== 'NSEC') } as never;
    });
    const r = await t.resolver.resolve(q('nope.example'));
    expect([r.rcode, r.ede?.code]).toEqual([Rcode.SERVFAIL, 12]);
  });

  it.each([
    ['bounded', { maxKeysPerSignature: 4, maxVerificationsPerQuery: 16 }, (n: number) => n <= 16],
    ['unbounded (what the bound prevents)', { maxKeysPerSignature: 1000, maxVerificationsPerQuery: 100_000 }, (n: number) => n > 40],
  ])('KeyTrap (CVE-2023-50387): 40 DNSKEYs sharing the signing key\'s tag and a bad signature, %s', async (_what, limits, ok) => {
    // The zone publishes (and properly signs) 40 keys with its real key's tag; www.example's RRSIG verifies with none.
    const tweak = (z: SignedZone, window: SignatureWindow): void => {
      const apexKeys = z.zone.records.filter((r) => r.type === 'DNSKEY');
      const real = apexKeys[0]!;
      const twins = Array.from({ length: 40 }, (_, i) => ({ ...real, data: { ...(real.data as DnskeyData), key: sameTagVariant((real.data as DnskeyData).key, i) } }));
      const keyset = [...twins, ...apexKeys];
      const others = z.zone.records.filter((r) => r.type !== 'DNSKEY' && !(r.type === 'RRSIG' && (r.data as { typeCovered: string }).typeCovered === 'DNSKEY'));
      z.zone.records = [...others, ...keyset, signRrset(keyset, z.keys[0]!, window)];
    };
    const { t, validator } = hierarchy({ limits, tweak, example: { corruptRrsigs: [{ name: 'www.example', type: 'A' }] } });
    const r = await t.resolver.resolve(q('www.example'));
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(ok(validator.tallies.verifications), `${validator.tallies.verifications} checks`).toBe(true);
  });
});

/** Key bytes with the same RFC 4034 App. B key tag: +k on one even-offset byte, −k on another. */
function sameTagVariant(key: Buffer, i: number): Buffer {
  const out = Buffer.from(key);
  const k = (i % 50) + 1;
  out[0] = (out[0]! + k) & 0xff;
  out[2] = (out[2]! - k) & 0xff;
  // A carry out of a byte would change the sum: keep only variants without one.
  return (key[0]! + k <= 0xff && key[2]! - k >= 0) ? out : sameTagVariant(key, i + 1);
}
