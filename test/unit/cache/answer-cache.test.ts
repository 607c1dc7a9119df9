// The answer cache's lookup: patched bytes for the asker, and the near-expiry refresh signal carried with the hit.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AnswerCache, answerKey } from '../../../src/cache/answer-cache.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';
import { peekQuery } from '../../../src/wire/question.js';

const QUERY = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'www.example', type: 'A', class: 'IN' }] });
const RESPONSE = dnsPacket.encode({
  type: 'response',
  id: 7,
  flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
  questions: [{ name: 'www.example', type: 'A', class: 'IN' }],
  answers: [{ name: 'www.example', type: 'A', class: 'IN', ttl: 100, data: '192.0.2.1' }],
});

function setUp(): { cache: AnswerCache; clock: ManualClock; key: string; end: number } {
  const clock = new ManualClock();
  const cache = new AnswerCache(100, clock, 'fixed', new SeededRandom(1));
  const end = peekQuery(QUERY)!.questionEnd;
  const key = answerKey(QUERY, end, false, false, false);
  cache.store(key, RESPONSE, end);
  return { cache, clock, key, end };
}

describe('answer cache lookup', () => {
  it('returns the bytes with the asker\'s ID and the TTL counted down, or null when absent or expired', () => {
    const { cache, clock, key, end } = setUp();
    clock.advance(30_000);
    const hit = cache.lookup(key, QUERY, 0x1234, true, end)!;
    const r = dnsPacket.decode(hit.bytes);
    expect(r.id).toBe(0x1234);
    expect((r.answers![0] as { ttl: number }).ttl).toBe(70);
    expect(cache.lookup('other', QUERY, 1, true, end)).toBeNull();
    clock.advance(70_000);
    expect(cache.lookup(key, QUERY, 1, true, end)).toBeNull();
  });

  it('says "wants refresh" on one hit in the last 10% of the TTL, and on no other', () => {
    const { cache, clock, key, end } = setUp();
    expect(cache.lookup(key, QUERY, 1, true, end)!.wantsRefresh).toBe(false);
    clock.advance(89_000); // 11 s of 100 left
    expect(cache.lookup(key, QUERY, 1, true, end)!.wantsRefresh).toBe(false);
    clock.advance(1_000); // 10 s left: the last 10%
    expect(cache.lookup(key, QUERY, 1, true, end)!.wantsRefresh).toBe(true);
    expect(cache.lookup(key, QUERY, 1, true, end)!.wantsRefresh).toBe(false);
    clock.advance(5_000);
    expect(cache.lookup(key, QUERY, 1, true, end)!.wantsRefresh).toBe(false);
  });
});
