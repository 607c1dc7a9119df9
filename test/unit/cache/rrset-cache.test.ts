import { describe, expect, it } from 'vitest';
import { NegativeCache, negativeTtl } from '../../../src/cache/negative-cache.js';
import { orderRecords } from '../../../src/cache/order.js';
import { Rank } from '../../../src/cache/rank.js';
import { RRsetCache } from '../../../src/cache/rrset-cache.js';
import { ManualClock } from '../../../src/util/clock.js';
import { SeededRandom } from '../../../src/util/random.js';
import type { RR } from '../../../src/wire/types.js';

const a = (name: string, ip: string, ttl = 300): RR => ({ name, type: 'A', class: 'IN', ttl, data: ip });
const soa = (zone: string, ttl: number, minimum: number): RR => ({
  name: zone, type: 'SOA', class: 'IN', ttl,
  data: { mname: 'ns1.' + zone, rname: 'host.' + zone, serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum },
});

describe('RRsetCache', () => {
  it('counts TTLs down and expires entries', () => {
    const clock = new ManualClock();
    const cache = new RRsetCache(100, { minTtl: 0, maxTtl: 86400 }, clock);
    cache.store([a('www.example.com', '192.0.2.1', 300)], Rank.ANSWER_AUTH);
    expect(cache.get('WWW.example.com.', 'A', Rank.ANSWER_AUTH)!.ttl).toBe(300);
    clock.advance(120_500);
    expect(cache.get('www.example.com', 'A', Rank.ANSWER_AUTH)!.records[0]!.ttl).toBe(179);
    clock.advance(180_000);
    expect(cache.get('www.example.com', 'A', Rank.ANSWER_AUTH)).toBeNull();
  });

  it('clamps TTLs to the configured bounds and uses the smallest TTL of the set', () => {
    const clock = new ManualClock();
    const cache = new RRsetCache(100, { minTtl: 60, maxTtl: 3600 }, clock);
    cache.store([a('x.test', '192.0.2.1', 10)], Rank.ANSWER_AUTH);
    cache.store([a('y.test', '192.0.2.1', 999999), a('y.test', '192.0.2.2', 7200)], Rank.ANSWER_AUTH);
    expect(cache.get('x.test', 'A', Rank.ADDITIONAL)!.ttl).toBe(60);
    expect(cache.get('y.test', 'A', Rank.ADDITIONAL)!.ttl).toBe(3600);
  });

  it('never lets lower-ranked data replace fresh higher-ranked data (RFC 2181 §5.4.1)', () => {
    const clock = new ManualClock();
    const cache = new RRsetCache(100, { minTtl: 0, maxTtl: 86400 }, clock);
    expect(cache.store([a('ns1.example.com', '192.0.2.1')], Rank.ANSWER_AUTH)).toBe(true);
    expect(cache.store([a('ns1.example.com', '203.0.113.66')], Rank.ADDITIONAL)).toBe(false);
    expect(cache.get('ns1.example.com', 'A', Rank.ADDITIONAL)!.records[0]!.data).toBe('192.0.2.1');
    expect(cache.store([a('ns1.example.com', '192.0.2.9')], Rank.ANSWER_AUTH)).toBe(true);
    expect(cache.get('ns1.example.com', 'A', Rank.ADDITIONAL)!.records[0]!.data).toBe('192.0.2.9');
    // Glue is usable for delegations but not served as an answer.
    cache.store([a('glue.example.net', '192.0.2.3')], Rank.ADDITIONAL);
    expect(cache.get('glue.example.net', 'A', Rank.ANSWER_NONAUTH)).toBeNull();
    expect(cache.get('glue.example.net', 'A', Rank.ADDITIONAL)).not.toBeNull();
  });

  it('is bounded: least recently used entries go first', () => {
    const cache = new RRsetCache(16, { minTtl: 0, maxTtl: 86400 }, new ManualClock());
    for (let i = 0; i < 40; i++) cache.store([a(`n${i}.test`, '192.0.2.1')], Rank.ANSWER_AUTH);
    expect(cache.size).toBe(16);
    expect(cache.get('n0.test', 'A', Rank.ADDITIONAL)).toBeNull();
    expect(cache.get('n39.test', 'A', Rank.ADDITIONAL)).not.toBeNull();
  });
});

describe('NegativeCache (RFC 2308)', () => {
  it('uses min(SOA TTL, SOA MINIMUM) capped by the maximum', () => {
    expect(negativeTtl(soa('example.com', 3600, 300), 3600)).toBe(300);
    expect(negativeTtl(soa('example.com', 60, 300), 3600)).toBe(60);
    expect(negativeTtl(soa('example.com', 86400, 86400), 3600)).toBe(3600);
  });
  it('applies NXDOMAIN to every type and NODATA to one type, then expires', () => {
    const clock = new ManualClock();
    const neg = new NegativeCache(100, 3600, clock);
    neg.store('gone.example.com', null, soa('example.com', 3600, 300));
    neg.store('www.example.com', 'AAAA', soa('example.com', 3600, 300));
    expect(neg.get('gone.example.com', 'MX')!.kind).toBe('nxdomain');
    expect(neg.get('www.example.com', 'AAAA')!.kind).toBe('nodata');
    expect(neg.get('www.example.com', 'A')).toBeNull();
    clock.advance(100_000);
    expect(neg.get('gone.example.com', 'A')!.soa!.ttl).toBe(200);
    clock.advance(200_000);
    expect(neg.get('gone.example.com', 'A')).toBeNull();
  });
});

describe('orderRecords', () => {
  const xs = ['a', 'b', 'c', 'd'];
  it('rotates so every record is first in turn', () => {
    const firsts = [0, 1, 2, 3, 4].map((t) => orderRecords(xs, 'rotate', t, new SeededRandom(1))[0]);
    expect(firsts).toEqual(['a', 'b', 'c', 'd', 'a']);
    expect(orderRecords(xs, 'rotate', 2, new SeededRandom(1))).toEqual(['c', 'd', 'a', 'b']);
  });
  it('keeps fixed order, and random is a permutation', () => {
    expect(orderRecords(xs, 'fixed', 3, new SeededRandom(1))).toEqual(xs);
    expect([...orderRecords(xs, 'random', 0, new SeededRandom(7))].sort()).toEqual(xs);
  });
});
