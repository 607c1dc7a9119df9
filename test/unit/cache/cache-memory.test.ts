// Caches bounded in bytes (cache-memory): entries are weighed by what they hold, and the least recently used
// go when the estimate passes the bound, whatever the entry count.
import { describe, expect, it } from 'vitest';
import { AnswerCache, answerKey } from '../../../src/cache/answer-cache.js';
import { NegativeCache } from '../../../src/cache/negative-cache.js';
import { Rank } from '../../../src/cache/rank.js';
import { RRsetCache } from '../../../src/cache/rrset-cache.js';
import { dataBytes } from '../../../src/cache/sizes.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';
import { peekQuery } from '../../../src/wire/question.js';
import * as dnsPacket from 'dns-packet';
import { rr } from '../../helpers/fake-net.js';

const BOUNDS = { minTtl: 0, maxTtl: 86400 };

describe('caches bounded in bytes', () => {
  it('weighs records by their data: a big TXT costs more than an address', () => {
    expect(dataBytes('192.0.2.1')).toBeLessThan(dataBytes([Buffer.alloc(400)]));
    expect(dataBytes({ mname: 'ns.example', rname: 'h.example', serial: 1 })).toBeGreaterThan(40);
  });

  it('keeps the RRset cache under its bytes whatever the entry cap, dropping the oldest first', () => {
    const cache = new RRsetCache(1_000_000, BOUNDS, new ManualClock(), 64 * 1024);
    for (let i = 0; i < 5000; i++) cache.store([rr.a(`host${i}.example.com`, '192.0.2.1')], Rank.ANSWER_AUTH);
    expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size).toBeLessThan(5000);
    expect(cache.size).toBeGreaterThan(100);
    expect(cache.get('host4999.example.com', 'A', Rank.ADDITIONAL)).not.toBeNull();
    expect(cache.get('host0.example.com', 'A', Rank.ADDITIONAL)).toBeNull();
    // The same bytes hold fewer big RRsets than small ones.
    const big = new RRsetCache(1_000_000, BOUNDS, new ManualClock(), 64 * 1024);
    for (let i = 0; i < 5000; i++) big.store([rr.txt(`t${i}.example.com`, 'x'.repeat(400))], Rank.ANSWER_AUTH);
    expect(big.size).toBeLessThan(cache.size / 2);
  });

  it('bounds the negative and answer caches the same way', () => {
    const negatives = new NegativeCache(1_000_000, 3600, new ManualClock(), 64 * 1024);
    for (let i = 0; i < 5000; i++) negatives.store(`nx${i}.example.com`, null, rr.soa('example.com'));
    expect(negatives.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(negatives.size).toBeLessThan(5000);
    const answers = new AnswerCache(1_000_000, new ManualClock(), 'fixed', new SeededRandom(1), 64 * 1024);
    for (let i = 0; i < 3000; i++) {
      const name = `a${i}.example.com`;
      const query = dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
      const reply = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name, type: 'A', class: 'IN' }], answers: [{ name, type: 'A', ttl: 60, data: '192.0.2.1' }] });
      const peeked = peekQuery(query)!;
      answers.store(answerKey(query, peeked.questionEnd, false, false, false), reply, peeked.questionEnd);
    }
    expect(answers.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(answers.size).toBeLessThan(3000);
  });
});
