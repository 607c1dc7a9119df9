import { describe, expect, it } from 'vitest';
import { HEDGE_BURST, HEDGE_SHARE, HEDGES_PER_REQUEST, HedgeAllowance } from '../../../src/resolver/hedge.js';
import { Request, type Budget, type Recursion } from '../../../src/resolver/request.js';

const recursion = {} as Recursion; // never called: only the budget is used
const budget = (): Budget => Request.start({ deadlineMs: 0 }, recursion).budget;

describe('HedgeAllowance', () => {
  it('a request hedges at most HEDGES_PER_REQUEST times, across zones', () => {
    const h = new HedgeAllowance();
    const b = budget();
    let granted = 0;
    for (let i = 0; i < 10; i++) {
      h.earn(`z${i}.example`);
      if (h.take(`z${i}.example`, b)) granted++;
    }
    expect(granted).toBe(HEDGES_PER_REQUEST);
    h.earn('other.example');
    expect(h.take('other.example', budget())).toBe(true); // another request has its own
  });

  it('a zone hedges its burst, then about HEDGE_SHARE of its zone queries', () => {
    const h = new HedgeAllowance();
    let granted = 0;
    const queries = 200;
    for (let i = 0; i < queries; i++) {
      h.earn('slow.example');
      if (h.take('slow.example', budget())) granted++;
    }
    expect(granted).toBeLessThanOrEqual(HEDGE_BURST + Math.ceil(HEDGE_SHARE * queries));
    expect(granted).toBeGreaterThanOrEqual(Math.floor(HEDGE_SHARE * queries));
  });

  it('a zone never seen in a zone query may not hedge', () => {
    expect(new HedgeAllowance().take('unseen.example', budget())).toBe(false);
  });
});
