// The validator hook: every classified reply passes it before anything from it is cached or followed; a bogus
// verdict fails the question with EDE 6 (RFC 8914 §4.7) and leaves the caches untouched.
import { describe, expect, it } from 'vitest';
import { MIN_ANSWER_RANK, Rank } from '../../src/cache/rank.js';
import type { ReplyContext, Validator, Verdict } from '../../src/resolver/validate.js';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr } from '../helpers/fake-net.js';
import { makeResolver } from '../helpers/resolver.js';

const ROOT = '127.5.0.1';
const AUTH = '127.5.1.1';
const A = { name: 'www.example', type: 'A', class: 'IN' } as const;

function hierarchy(t: ReturnType<typeof makeResolver>): void {
  t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400)]));
  t.net.on(AUTH, authoritative('example', [rr.ns('example', 'ns.example'), rr.a('www.example', '192.0.2.9')]));
}

/** Records what it is asked and says bogus for replies from one zone. */
function judging(bogusZone: string | null): Validator & { seen: (ReplyContext & { kind: string })[] } {
  const seen: (ReplyContext & { kind: string })[] = [];
  return {
    seen,
    check: (reply, ctx): Verdict => {
      seen.push({ ...ctx, kind: reply.kind });
      return ctx.zone === bogusZone ? { kind: 'bogus', reason: 'no valid RRSIG for www.example A', ede: 6 } : { kind: 'unchecked' };
    },
  };
}

describe('the validator hook', () => {
  it('sees each reply (referral, answer) with the zone that gave it', async () => {
    const v = judging(null);
    const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: false }, validator: v });
    hierarchy(t);
    const r = await t.resolver.resolve(A);
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(v.seen.filter((s) => s.qname !== '.').map((s) => [s.zone, s.kind])).toEqual([
      ['.', 'referral'],
      ['example', 'answer'],
    ]);
  });

  it('a bogus verdict is SERVFAIL with its EDE and reason; the reply is cached only as bogus (never served without CD)', async () => {
    const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: false }, validator: judging('example') });
    hierarchy(t);
    const r = await t.resolver.resolve(A);
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(r.ede?.code).toBe(6);
    expect(r.ede?.text).toMatch(/^no valid RRSIG for www.example A/);
    expect(t.rrsets.get('www.example', 'A', MIN_ANSWER_RANK)?.entry.security).toBe('bogus');
    const again = await t.resolver.resolve(A);
    expect(again.rcode).toBe(Rcode.SERVFAIL);
    expect(again.ede?.code).toBe(6);
    const withCd = await t.resolver.resolve(A, undefined, { checkingDisabled: true });
    expect(withCd.rcode).toBe(Rcode.NOERROR);
    expect(withCd.security).toBe('bogus');
    // The referral from the root was not bogus: the delegation is cached.
    expect(t.rrsets.get('example', 'NS', Rank.ADDITIONAL)).not.toBeNull();
  });

  it('a bogus referral is not followed', async () => {
    const t = makeResolver(ROOT, { config: { serveStale: false, qnameMinimisation: false }, validator: judging('.') });
    hierarchy(t);
    const r = await t.resolver.resolve(A);
    expect(r.rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.countTo(AUTH)).toBe(0);
    expect(t.rrsets.get('example', 'NS', Rank.ADDITIONAL)).toBeNull();
  });
});
