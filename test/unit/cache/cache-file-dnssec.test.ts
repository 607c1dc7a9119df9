import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCacheFile, restoreSnapshot, writeCacheFile } from '../../../src/cache/cache-file.js';
import { NegativeCache } from '../../../src/cache/negative-cache.js';
import { Rank } from '../../../src/cache/rank.js';
import { RRsetCache } from '../../../src/cache/rrset-cache.js';
import { generateSigningKey, signRrset, windowAround } from '../../../src/dnssec/sign.js';
import { ManualClock } from '../../../src/util/clock.js';
import type { RR } from '../../../src/wire/types.js';

describe('the cache file keeps DNSSEC state over a warm restart', () => {
  it('RRSIGs and the verdict of RRsets and denials come back; bogus entries are not written', async () => {
    const clock = new ManualClock(Date.now());
    const key = generateSigningKey('example', 13);
    const window = windowAround(clock.nowMs());
    const a: RR[] = [{ name: 'www.example', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' }];
    const soa: RR = { name: 'example', type: 'SOA', class: 'IN', ttl: 300, data: { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300 } };
    const nsec: RR = { name: 'a.example', type: 'NSEC', class: 'IN', ttl: 300, data: { nextDomain: 'c.example', rrtypes: ['A', 'RRSIG', 'NSEC'] } };
    const rrsets = new RRsetCache(100, { minTtl: 0, maxTtl: 86400 }, clock);
    const negatives = new NegativeCache(100, 3600, clock);
    rrsets.store(a, Rank.ANSWER_AUTH, { sigs: [signRrset(a, key, window)], security: 'secure' });
    rrsets.store([{ name: 'bad.example', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.66' }], Rank.ANSWER_AUTH, { security: 'bogus' });
    negatives.store('b.example', null, soa, { proof: [nsec, signRrset([nsec], key, window)], security: 'secure' });
    const file = join(mkdtempSync(join(tmpdir(), 'cache-dnssec-')), 'cache.jsonl');
    const counts = await writeCacheFile(file, rrsets, negatives);
    expect(counts).toEqual({ rrsets: 1, negative: 1 });
    expect(readFileSync(file, 'utf8')).not.toContain('bad.example');

    const again = new RRsetCache(100, { minTtl: 0, maxTtl: 86400 }, clock);
    const againNeg = new NegativeCache(100, 3600, clock);
    restoreSnapshot(await readCacheFile(file), again, againNeg);
    const hit = again.get('www.example', 'A', Rank.ANSWER_NONAUTH)!;
    expect(hit.entry.security).toBe('secure');
    expect(hit.sigs?.map((r) => r.type)).toEqual(['RRSIG']);
    const neg = againNeg.get('b.example', 'A')!;
    expect(neg.security).toBe('secure');
    expect(neg.proof?.map((r) => r.type)).toEqual(['NSEC', 'RRSIG']);
  });
});
