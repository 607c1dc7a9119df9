import { describe, expect, it } from 'vitest';
import { addCounters, countLimit, newCounters } from '../../src/metrics.js';

describe('counters', () => {
  it('count each limit in its own counter, summed like every other counter', () => {
    const a = newCounters();
    countLimit(a, 'ns-lookups');
    countLimit(a, 'ns-lookups');
    countLimit(a, 'query-time');
    expect(a.limitNsLookups).toBe(2);
    expect(a.limitQueryTime).toBe(1);
    expect(a.limitCnameChain).toBe(0);
    const b = newCounters();
    countLimit(b, 'ns-lookups');
    expect(addCounters(a, b).limitNsLookups).toBe(3);
  });
});
