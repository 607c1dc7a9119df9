// Property-based fuzzing of what upstream servers send (issue 18): an authoritative server for evil.test answers
// with mutated referrals, answers and CNAME chains — records for other zones slipped in, truncated and oversized
// records, flipped bytes — fed through the fake network to the real iterator. Properties: resolution always ends
// (an answer, a negative answer or SERVFAIL, never a throw), and nothing outside evil.test is ever cached from
// it: the victim zone's data stays what its own server said.
import * as dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rank } from '../../src/cache/rank.js';
import { isInZone } from '../../src/wire/names.js';
import { Rcode, type RR } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';
import { fuzzParams } from './params.js';

const ROOT = '127.6.0.1';
const EVIL = '127.6.1.1';
const VICTIM = '127.6.2.1';

const victimRecords = [rr.ns('victim.test', 'ns.victim.test'), rr.a('ns.victim.test', VICTIM), rr.a('www.victim.test', '192.0.2.10')];

/** Owner names the hostile server uses: its own zone, and others it has no business speaking for. */
const owner = fc.constantFrom('evil.test', 'www.evil.test', 'a.b.evil.test', 'victim.test', 'www.victim.test', 'ns.victim.test', 'test', '.', 'com');
const record: fc.Arbitrary<RR> = fc.oneof(
  fc.record({ name: owner, type: fc.constant('A'), class: fc.constant('IN'), ttl: fc.nat(), data: fc.ipV4() }),
  fc.record({ name: owner, type: fc.constant('AAAA'), class: fc.constant('IN'), ttl: fc.nat(), data: fc.ipV6() }),
  fc.record({ name: owner, type: fc.constant('NS'), class: fc.constant('IN'), ttl: fc.nat(), data: owner }),
  fc.record({ name: owner, type: fc.constant('CNAME'), class: fc.constant('IN'), ttl: fc.nat(), data: owner }),
  fc.record({ name: owner, type: fc.constant('DNAME'), class: fc.constant('IN'), ttl: fc.nat(), data: owner }),
  fc.record({ name: owner, type: fc.constant('TXT'), class: fc.constant('IN'), ttl: fc.nat(), data: fc.array(fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), { maxLength: 3 }) }),
  fc.constant(rr.soa('evil.test')),
  fc.constant(rr.soa('victim.test')),
);

/** The classic poisonings, so they come up in every run: glue for another zone's server, forged CNAME targets. */
const forged = fc.constantFrom(
  rr.a('ns.victim.test', '6.6.6.6'),
  rr.a('www.victim.test', '6.6.6.6'),
  rr.ns('victim.test', 'ns.evil.test'),
  rr.cname('www.evil.test', 'www.victim.test'),
  rr.ns('www.evil.test', 'ns.victim.test'),
  rr.ns('a.b.evil.test', 'ns.victim.test'),
  rr.ns('test', 'ns.evil.test'),
);
const section = (max: number): fc.Arbitrary<RR[]> => fc.array(fc.oneof({ weight: 2, arbitrary: record }, { weight: 1, arbitrary: forged }), { maxLength: max });

/** A reply: any sections, any flags and rcode, then maybe bytes flipped or the message cut short. */
const hostileReply = fc
  .record({
    flags: fc.oneof(fc.constantFrom(0x0400, 0x0000, 0x0480, 0x0403), fc.integer({ min: 0, max: 0xffff })),
    answers: section(6),
    authorities: section(4),
    additionals: section(4),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
  })
  .map((r) => (q: { id?: number; questions?: unknown[] }) => {
    let bytes: Buffer;
    try {
      bytes = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: r.flags | 0x8000, questions: q.questions as dnsPacket.Question[], answers: r.answers as never, authorities: r.authorities as never, additionals: r.additionals as never });
    } catch {
      return Buffer.alloc(0);
    }
    // Keep the header's ID and question so the reply is matched; mutate what follows.
    const questionEnd = 12 + (q.questions?.length ? bytes.indexOf(0, 12) - 12 + 5 : 0);
    for (const [at, v] of r.flips) if (bytes.length > questionEnd) bytes[questionEnd + (at % (bytes.length - questionEnd))] = v;
    return r.cut !== null ? bytes.subarray(0, Math.max(questionEnd, r.cut % (bytes.length + 1))) : bytes;
  });

describe('fuzzing upstream replies through the iterator', () => {
  const { seed, numRuns } = fuzzParams();

  it('a hostile server ends every resolution and never gets data outside its zone into the cache', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileReply, { minLength: 1, maxLength: 4 }), fc.constantFrom('www.evil.test', 'x.evil.test', 'evil.test'), fc.constantFrom('A', 'AAAA', 'NS', 'TXT', 'CNAME'), async (replies, name, type) => {
        const t = makeResolver(ROOT, { config: { queryTimeoutMs: 1500, serveStale: false } });
        t.net.on(
          ROOT,
          authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('evil.test', 'ns.evil.test'), rr.a('ns.evil.test', EVIL), rr.ns('victim.test', 'ns.victim.test'), rr.a('ns.victim.test', VICTIM)]),
        );
        t.net.on(VICTIM, authoritative('victim.test', victimRecords));
        let n = 0;
        t.net.on(EVIL, (q) => replies[n++ % replies.length]!(q));
        const r = await t.resolver.resolve({ name, type, class: 'IN' });
        expect([Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.SERVFAIL]).toContain(r.rcode);
        // Nothing about victim.test (or above evil.test) may have come from the hostile server: what is cached for
        // those names is what their own servers said (a CNAME into victim.test is followed by iteration).
        const truth: Record<string, unknown[] | null> = {
          'www.victim.test|A': ['192.0.2.10'],
          'victim.test|NS': ['ns.victim.test'],
          'ns.victim.test|A': [VICTIM],
          'test|NS': null,
          '.|A': null,
          'com|NS': null,
        };
        for (const [key, expected] of Object.entries(truth)) {
          const [n2, t2] = key.split('|') as [string, string];
          const cached = t.rrsets.get(n2, t2, Rank.ADDITIONAL);
          if (!cached) continue;
          expect(cached.records.map((x) => x.data), `${key} cached from the hostile server`).toEqual(expected ?? []);
        }
        // Whatever it answered for the asked name lies in its zone or was followed there by iteration.
        for (const a of r.answer) expect(isInZone(a.name, 'evil.test') || isInZone(a.name, 'victim.test')).toBe(true);
        // And the victim still answers correctly afterwards.
        const victim = await t.resolver.resolve({ name: 'www.victim.test', type: 'A', class: 'IN' });
        expect(victim.answer.filter((x) => x.type === 'A').map((x) => x.data)).toEqual(['192.0.2.10']);
      }),
      { seed, numRuns: Math.max(100, Math.floor(numRuns / 4)) },
    );
  }, 120_000);
});
