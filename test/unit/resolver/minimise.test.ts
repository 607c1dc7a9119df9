import { describe, expect, it } from 'vitest';
import { MAX_MINIMISE_COUNT, nextTarget, startMinimising } from '../../../src/resolver/minimise.js';

describe('QNAME minimisation steps (RFC 9156 §2.3)', () => {
  it('asks one label below the zone cut, then the full name', () => {
    const st = startMinimising(true);
    expect(nextTarget('www.example.com', '.', st)).toBe('com');
    expect(nextTarget('www.example.com', 'com', st)).toBe('example.com');
    expect(nextTarget('www.example.com', 'example.com', st)).toBe('www.example.com');
  });
  it('continues below a name already asked inside the same zone', () => {
    const st = startMinimising(true);
    st.askedLabels = 3;
    expect(nextTarget('a.b.c.example.com', 'example.com', st)).toBe('b.c.example.com');
  });
  it('takes bigger steps after the first four and stops minimising at the cap', () => {
    const long = Array.from({ length: 30 }, (_, i) => `l${i}`).join('.') + '.example';
    const st = startMinimising(true);
    let asked = 0;
    for (;;) {
      const t = nextTarget(long, 'example', st);
      if (t === long) break;
      st.sent++;
      st.askedLabels = t.split('.').length;
      asked++;
    }
    expect(asked).toBeLessThanOrEqual(MAX_MINIMISE_COUNT);
  });
  it('asks the full name when off', () => {
    expect(nextTarget('www.example.com', '.', startMinimising(false))).toBe('www.example.com');
  });
});
