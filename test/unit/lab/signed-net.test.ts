// serveSigned: a signed hierarchy on a FakeNet answers DO=1 queries with signatures that verify at the clock given,
// and the plan's switches (no DS, a stripped RRSIG, not-yet-valid signatures) come out as they say.
import * as dnsPacket from 'dns-packet';
import type { RrsigData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { rrsigTimeStatus } from '../../../src/dnssec/verify.js';
import { zone } from '../../../src/lab/answerer.js';
import { ManualClock } from '../../../src/util/clock.js';
import { decodePacket } from '../../../src/wire/decode.js';
import type { RR } from '../../../src/wire/types.js';
import { keyRing, sectionProblems } from '../../helpers/dnssec-check.js';
import { FakeNet } from '../../helpers/fake-net.js';
import { serveSigned } from '../../helpers/signed-net.js';

const ROOT = '127.6.0.1';
const TLD = '127.6.1.1';
const soa = '@ 3600 SOA ns hostmaster 1 7200 900 1209600 300';
const zones = () => ({
  root: zone('.', [soa, '@ NS a.root.test.', `a.root.test. A ${ROOT}`, 'test. NS ns.test.', `ns.test. A ${TLD}`]),
  test: zone('test', [soa, '@ NS ns', `ns A ${TLD}`, 'island NS ns.test.', 'www A 192.0.2.1', 'nosig A 192.0.2.2']),
  island: zone('island.test', [soa, '@ NS ns.test.', 'www A 192.0.2.3']),
});

async function query(net: FakeNet, to: string, name: string, type: string): Promise<RR[]> {
  const wire = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: type as 'A', class: 'IN' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK } as dnsPacket.Answer] });
  const r = await net.query({ address: to, port: 53 }, wire, { tcp: false, timeoutMs: 1000 } as never);
  if (r.kind !== 'reply') throw new Error(r.kind);
  const d = decodePacket(r.bytes);
  if (!d.ok) throw new Error(d.reason);
  return [...(d.packet.answers ?? []), ...(d.packet.authorities ?? [])] as unknown as RR[];
}

describe('serveSigned', () => {
  it('serves a signed hierarchy on a FakeNet, valid at the manual clock, with the root DS as trust anchor', async () => {
    const clock = new ManualClock();
    const net = new FakeNet(clock);
    const z = zones();
    const h = serveSigned(net, [{ address: ROOT, zones: [z.root] }, { address: TLD, zones: [z.test, z.island] }], {
      '.': { algorithm: 13, denial: 'nsec' },
      test: { algorithm: 15, denial: { nsec3: { iterations: 0, salt: Buffer.alloc(0) } }, stripRrsigs: [{ name: 'nosig.test', type: 'A' }] },
      'island.test': { algorithm: 13, denial: 'nsec', ds: 'none', signatures: 'not-yet-valid' },
    }, clock.nowMs());
    expect(h.trustAnchors).toHaveLength(1);
    expect(h.trustAnchors[0]).toMatch(/^\. 3600 IN DS \d+ 13 2 /);
    const keys = keyRing([...h.signed.values()].map((s) => s.zone));
    const now = clock.nowMs() / 1000;
    const referral = await query(net, ROOT, 'www.test', 'A');
    expect(referral.map((r) => r.type)).toEqual(['NS', 'DS', 'RRSIG']);
    expect(sectionProblems(referral.filter((r) => r.type !== 'NS'), keys, now)).toEqual([]);
    const www = await query(net, TLD, 'www.test', 'A');
    expect(sectionProblems(www, keys, now)).toEqual([]);
    expect((await query(net, TLD, 'nosig.test', 'A')).map((r) => r.type)).toEqual(['A']);
    // island.test: signed, but test publishes no DS for it (the NSEC3 at the cut proves none), signatures from tomorrow.
    expect((await query(net, TLD, 'island.test', 'DS')).some((r) => r.type === 'DS')).toBe(false);
    const island = await query(net, TLD, 'www.island.test', 'A');
    const sig = island.find((r) => r.type === 'RRSIG')!.data as RrsigData;
    expect(rrsigTimeStatus(sig, now)).toBe('not-yet-valid');
  });
});
