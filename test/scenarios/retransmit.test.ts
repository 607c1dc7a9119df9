// Retransmission that survives loss (issue 18), on the fake network: a single-server zone that loses replies
// still resolves, a late reply to an earlier try answers the query and measures the right RTT, one loss does not
// hold a server down for other queries (a run of them does, and a reply lifts it), a glueless delegation does not
// wait for a silent NS zone's retries, serve-stale still answers on time while the retries go on, and a
// rate-limiting authority (drops and TC slips) fails no lookup of a burst.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INFRA_LIMITS } from '../../src/cache/infra-cache.js';
import { DEFAULTS } from '../../src/config/schema.js';
import type { Resolution } from '../../src/resolver/resolution.js';
import { TRIES_PER_SERVER } from '../../src/resolver/zone-query.js';
import type { RR } from '../../src/wire/types.js';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr, type Handler, type Reply } from '../helpers/fake-net.js';
import { rateLimited } from '../helpers/rate-limited-auth.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.6.0.1';
const AUTH = '127.6.1.1';
const AUTH_KEY = `${AUTH}:53`;
const A = (name: string) => ({ name, type: 'A', class: 'IN' }) as const;
const rootZone = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400)]);
const exampleRecords: RR[] = [rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400), ...Array.from({ length: 10 }, (_, i) => rr.a(`www${i}.example`, `192.0.2.${i + 1}`))];
const exampleZone = authoritative('example', exampleRecords);

/** The zone's only server drops the replies to its next `n` queries, then answers. */
function dropping(n: number): { handler: Handler; drop: (count: number) => void } {
  let left = n;
  return {
    handler: (q, o) => (left-- > 0 ? 'drop' : exampleZone(q, o)),
    drop: (count) => void (left = count),
  };
}

function singleServer(dropFirst: number): TestResolver & { drop: (count: number) => void } {
  const t = makeResolver(ROOT, { config: { serveStale: false } });
  const d = dropping(dropFirst);
  t.net.on(ROOT, rootZone).on(AUTH, d.handler);
  return { ...t, drop: d.drop };
}

describe('a single-server zone that loses replies', () => {
  for (const drops of [2, 3, TRIES_PER_SERVER - 1]) {
    it(`still resolves when the first ${drops} replies are lost, each try waiting a doubled RTO`, async () => {
      const t = singleServer(drops);
      const timeouts: number[] = [];
      const d = dropping(drops);
      t.net.on(AUTH, (q, o) => {
        if (!o.tcp) timeouts.push(o.timeoutMs);
        return d.handler(q, o);
      });
      const r = await t.resolver.resolve(A('www1.example'));
      expect(r.rcode).toBe(Rcode.NOERROR);
      expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
      expect(t.net.countTo(AUTH)).toBe(drops + 1);
      const expected = Array.from({ length: drops + 1 }, (_, i) => Math.min(DEFAULT_INFRA_LIMITS.unknownRtoMs * 2 ** i, DEFAULTS.upstreamTimeoutMs));
      expect(timeouts).toEqual(expected);
    });
  }

  it('a late reply to the first try answers while the second is outstanding, and its RTT counts for the first', async () => {
    const t = singleServer(0);
    t.net.answerLate(AUTH, 100);
    let secondTry = 0;
    t.net.on(AUTH, async (q, o) => {
      if (q.questions![0]!.name.toLowerCase() === 'www2.example' && ++secondTry === 2) {
        await new Promise((r) => setTimeout(r, 20)); // the second try's reply is lost, slowly
        return 'drop' as const;
      }
      return exampleZone(q, o);
    });
    const r = await t.resolver.resolve(A('www2.example'));
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.3']);
    expect(t.net.countTo(AUTH)).toBe(2);
    // Measured from the first send: the timeout waited plus the 100 ms it was late, not the second try's time.
    expect(t.infra.srtt(AUTH_KEY)).toBe(DEFAULT_INFRA_LIMITS.unknownRtoMs + 100);
    expect(t.infra.timeouts(AUTH_KEY)).toBe(0);
  });
});

describe('a glueless delegation whose NS names lie in a silent zone and a live one', () => {
  it('tries the first NS address found right away, not after the silent lookup has spent its retries', async () => {
    const DEAD = '127.6.4.1';
    const LIVE = '127.6.4.2';
    const TARGET = '127.6.4.3';
    const t = makeResolver(ROOT, { config: { serveStale: false } });
    // example's servers are named inside dead and live, without glue: each needs a side lookup.
    t.net.on(ROOT, authoritative('.', [
      rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
      rr.ns('dead', 'ns.dead'), rr.a('ns.dead', DEAD, 86400),
      rr.ns('live', 'ns.live'), rr.a('ns.live', LIVE, 86400),
      rr.ns('example', 'ns1.dead'), rr.ns('example', 'ns1.live'),
    ]));
    let release!: () => void;
    const silence = new Promise<Reply>((r) => (release = () => r('drop')));
    t.net.on(DEAD, () => silence);
    t.net.on(LIVE, authoritative('live', [rr.ns('live', 'ns.live'), rr.a('ns.live', LIVE, 86400), rr.a('ns1.live', TARGET)]));
    t.net.on(TARGET, exampleZone);
    const r = await t.resolver.resolve(A('www3.example'));
    expect(r.rcode).toBe(Rcode.NOERROR);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.4']);
    release();
  });
});

describe('hold-down (no reply in between)', () => {
  it('one loss does not hold a server down; a run of timeouts does; then it is probed once per query until a reply lifts it', async () => {
    const t = singleServer(1);
    expect((await t.resolver.resolve(A('www1.example'))).rcode).toBe(Rcode.NOERROR);
    expect(t.infra.isHeldDown(AUTH_KEY)).toBe(false);

    // Silent: the next query spends its tries, and the server ends up held down.
    t.drop(1_000);
    let before = t.net.countTo(AUTH);
    expect((await t.resolver.resolve(A('www2.example'))).rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.countTo(AUTH) - before).toBe(TRIES_PER_SERVER);
    expect(t.infra.isHeldDown(AUTH_KEY)).toBe(true);

    // Held down and still silent: one probe, then SERVFAIL.
    before = t.net.countTo(AUTH);
    expect((await t.resolver.resolve(A('www3.example'))).rcode).toBe(Rcode.SERVFAIL);
    expect(t.net.countTo(AUTH) - before).toBe(1);

    // The probe is answered: held down no more, and the next query gets all its tries again.
    t.drop(0);
    expect((await t.resolver.resolve(A('www4.example'))).rcode).toBe(Rcode.NOERROR);
    expect(t.infra.isHeldDown(AUTH_KEY)).toBe(false);
    t.drop(TRIES_PER_SERVER - 1);
    expect((await t.resolver.resolve(A('www5.example'))).rcode).toBe(Rcode.NOERROR);
  });
});

describe('serve-stale with retries (RFC 8767 §5)', () => {
  it('answers stale data at the client-response timer while the retries to a lossy server go on', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, rootZone).on(AUTH, exampleZone);
    expect((await t.resolver.resolve(A('www1.example'))).rcode).toBe(Rcode.NOERROR);
    t.clock.advance(400_000);
    // Every reply lost; each try takes a real tick so the stale answer is seen the moment its timer fires.
    t.net.on(AUTH, async (): Promise<Reply> => {
      await new Promise((r) => setImmediate(r));
      return 'drop';
    });
    const start = t.clock.nowMs();
    let answeredAt = 0;
    const before = t.net.countTo(AUTH);
    const r: Resolution = await t.resolver.resolve(A('www1.example')).then((x) => ((answeredAt = t.clock.nowMs()), x));
    expect(r.stale).toBe(true);
    expect(r.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    // The timer fires inside the try that is waiting when it runs out: no later than that try's end.
    expect(answeredAt - start).toBeLessThanOrEqual(DEFAULTS.staleAnswerTimeoutMs + DEFAULTS.upstreamTimeoutMs);
    // Let the fresh resolution run out; it kept retrying past the old two tries.
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
    expect(t.net.countTo(AUTH) - before).toBeGreaterThan(2);
  });
});

describe('a rate-limiting authority (RRL: drops past the rate, every second drop slipped as TC=1)', () => {
  it('a burst of lookups under many zones it serves gets 0 SERVFAIL, the slips retried over TCP', async () => {
    const ZONES = 300;
    const TLD = '127.6.2.1';
    const HOSTS = ['127.6.3.1', '127.6.3.2', '127.6.3.3', '127.6.3.4'];
    const t = makeResolver(ROOT, { config: { serveStale: false } });
    // Tries overlap in a burst: a timeout does not move everyone's clock.
    t.net.advanceOnTimeout = false;
    t.net.on(ROOT, authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('test', 'ns.tld.test'), rr.a('ns.tld.test', TLD, 86400)]));
    const tldRecords: RR[] = [rr.ns('test', 'ns.tld.test'), rr.a('ns.tld.test', TLD, 86400)];
    for (let i = 0; i < ZONES; i++) {
      const host = HOSTS[i % HOSTS.length]!;
      tldRecords.push(rr.ns(`z${i}.test`, `ns${i % HOSTS.length}.hosts.test`), rr.a(`ns${i % HOSTS.length}.hosts.test`, host, 86400));
    }
    const rrl = rateLimited(authoritative('test', tldRecords), t.clock, { perSecond: 50, slip: 2 });
    t.net.on(TLD, rrl.handler);
    const zoneRecords: RR[] = Array.from({ length: ZONES }, (_, i) => rr.a(`www.z${i}.test`, `198.51.100.${i % 250}`));
    for (const host of HOSTS) t.net.on(host, authoritative('test', zoneRecords));

    const results: Resolution[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ZONES) results.push(await t.resolver.resolve(A(`www.z${next++}.test`)));
    };
    await Promise.all(Array.from({ length: 40 }, worker));

    expect(results).toHaveLength(ZONES);
    expect(results.filter((r) => r.rcode !== Rcode.NOERROR)).toEqual([]);
    expect(rrl.stats.dropped).toBeGreaterThan(20);
    expect(rrl.stats.slipped).toBeGreaterThan(20);
    // Every slip came back over TCP (RFC 7766 §5).
    expect(rrl.stats.tcp).toBe(rrl.stats.slipped);
    expect(t.net.log.filter((l) => l.to === TLD && l.tcp)).toHaveLength(rrl.stats.tcp);
  });
});
