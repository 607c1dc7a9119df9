// Cold-cache latency (issue 10), on the fake network: identical questions in flight to one server are sent once;
// a slow server gets a hedged query to a second one, within its bounds; glueless NS names are looked up beside
// the servers that have addresses, a few at a time; a popular delegation is fetched again before it expires.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INFRA_LIMITS } from '../../src/cache/infra-cache.js';
import { POPULAR_DELEGATION_USES } from '../../src/resolver/delegation-prefetch.js';
import { HEDGE_BURST, HEDGE_SHARE, UNKNOWN_SERVER_HEDGE_MS } from '../../src/resolver/hedge.js';
import { RecordingTrace } from '../../src/resolver/trace.js';
import { PARALLEL_NS_LOOKUPS } from '../../src/resolver/zone-query.js';
import type { ManualClock } from '../../src/util/clock.js';
import { Rcode } from '../../src/wire/types.js';
import { authoritative, rr, type Handler } from '../helpers/fake-net.js';
import { makeResolver, type TestResolver } from '../helpers/resolver.js';

const ROOT = '127.6.0.1';
const AUTH = '127.6.1.1';
const A = (name: string) => ({ name, type: 'A', class: 'IN' }) as const;
const rootZone = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400)]);
const exampleZone = authoritative('example', [rr.ns('example', 'ns.example'), rr.a('ns.example', AUTH, 86400), rr.a('www1.example', '192.0.2.1'), rr.a('www2.example', '192.0.2.2')]);

/** A handler whose replies wait until `open()` (so that concurrent queries are all sent first). */
function gated(h: Handler): { handler: Handler; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { handler: async (q, o) => (await gate, h(q, o)), open };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('identical questions in flight', () => {
  it('two cold names under one zone ask the root for that zone once: the second waits for the first one’s reply', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, rootZone).on(AUTH, exampleZone);
    await t.resolver.resolve({ name: '.', type: 'NS', class: 'IN' }); // primed
    const g = gated(rootZone);
    t.net.on(ROOT, g.handler);
    const trace = new RecordingTrace();
    const one = t.resolver.resolve(A('www1.example'));
    const two = t.resolver.resolve(A('www2.example'), trace);
    for (let i = 0; i < 10; i++) await tick();
    g.open();
    const [r1, r2] = await Promise.all([one, two]);
    expect([r1.rcode, r2.rcode]).toEqual([Rcode.NOERROR, Rcode.NOERROR]);
    expect(r2.answer.map((x) => x.data)).toEqual(['192.0.2.2']);
    const toRoot = t.net.log.filter((l) => l.to === ROOT && l.name.toLowerCase() === 'example');
    expect(toRoot).toHaveLength(1);
    // Each name is still asked of its zone's server.
    expect(t.net.log.filter((l) => l.to === AUTH).map((l) => l.name.toLowerCase()).sort()).toEqual(['www1.example', 'www2.example']);
    // The trace of the one that joined says so.
    expect(trace.events.some((e) => e.kind === 'upstream' && e.address === ROOT && e.shared === true)).toBe(true);
  });
});

// --- Timed scenarios: servers answer after a delay on the manual clock, the test moves time 1 ms at a time.

const AUTH1 = '127.6.2.1';
const AUTH2 = '127.6.2.2';
const AUTH3 = '127.6.2.3';
const OTHER = '127.6.3.1';

/** A handler that answers after `delayMs` of clock time, or 'drop' (a timeout) when its try's timeout comes first. */
function slow(clock: ManualClock, delayMs: number, h: Handler): Handler {
  return (q, o) =>
    new Promise((resolve) => {
      const cancelAnswer = clock.setTimer(delayMs, () => {
        cancelTimeout();
        resolve(h(q, o));
      });
      const cancelTimeout = clock.setTimer(o.timeoutMs, () => {
        cancelAnswer();
        resolve('drop');
      });
    });
}

/** Runs `work` while moving the clock 1 ms per turn of the event loop; returns its result and the time it took. */
async function timed<T>(clock: ManualClock, work: Promise<T>, maxMs = 5000): Promise<{ value: T; ms: number }> {
  const start = clock.nowMs();
  let done = false;
  let value!: T;
  void work.then((v) => {
    done = true;
    value = v;
  });
  for (let i = 0; i < maxMs && !done; i++) {
    await tick();
    if (!done) clock.advance(1);
  }
  if (!done) throw new Error(`not done after ${maxMs} ms`);
  return { value, ms: clock.nowMs() - start };
}

/** Moves the clock `ms`, 1 ms per turn of the event loop (background work goes on meanwhile). */
async function runFor(clock: ManualClock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    await tick();
    clock.advance(1);
  }
}

/** Each query to `address`, with the clock time it was sent at. */
function sendTimes(t: TestResolver, address: string): { name: string; atMs: number }[] {
  return sent.get(t)!.filter((s) => s.to === address);
}
const sent = new WeakMap<TestResolver, { to: string; name: string; atMs: number }[]>();
function recordSends(t: TestResolver, handlers: Record<string, Handler>): void {
  const log: { to: string; name: string; atMs: number }[] = [];
  sent.set(t, log);
  for (const [address, h] of Object.entries(handlers)) {
    t.net.on(address, (q, o) => {
      log.push({ to: address, name: q.questions![0]!.name.toLowerCase(), atMs: t.clock.nowMs() });
      return h(q, o);
    });
  }
}

/** A root that delegates `example` to the given servers (with glue), and `other.test` to OTHER. */
function rootFor(servers: [string, string][], glueless: string[] = []): Handler {
  return authoritative('.', [
    rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT),
    ...servers.flatMap(([host, ip]) => [rr.ns('example', host), rr.a(host, ip, 86400)]),
    ...glueless.map((host) => rr.ns('example', host)),
    rr.ns('other.test', 'ns.other.test'), rr.a('ns.other.test', OTHER, 86400),
  ]);
}
const exampleAt = (servers: string[], glueless: string[] = []): Handler =>
  authoritative('example', [...servers.map((s, i) => rr.ns('example', `ns${i + 1}.example`)), ...glueless.map((h) => rr.ns('example', h)), rr.a('www.example', '192.0.2.80'), ...Array.from({ length: 40 }, (_, i) => rr.a(`n${i}.example`, '192.0.2.81'))]);

/** AUTH1 known and fast-ish (SRTT 100 ms, steady), so it is asked first; AUTH2 known but slower. */
function learnRtts(t: TestResolver): void {
  for (let i = 0; i < 8; i++) t.infra.reportRtt(`${AUTH1}:53`, i % 2 ? 90 : 110);
  t.infra.reportRtt(`${AUTH2}:53`, 700);
}

describe('hedged queries', () => {
  it('a server slower than its expected RTT gets a second server asked beside it, which answers first', async () => {
    const t = makeResolver(ROOT);
    t.net.advanceOnTimeout = false;
    const zone = exampleAt([AUTH1, AUTH2]);
    recordSends(t, { [ROOT]: rootFor([['ns1.example', AUTH1], ['ns2.example', AUTH2]]), [AUTH1]: slow(t.clock, 1000, zone), [AUTH2]: slow(t.clock, 30, zone) });
    learnRtts(t);
    const srtt = t.infra.srtt(`${AUTH1}:53`)!;
    const hedgeAt = srtt + 2 * t.infra.rttVar(`${AUTH1}:53`);
    const rto = t.infra.rto(`${AUTH1}:53`);
    expect(hedgeAt).toBeLessThan(rto); // the hedge comes before the try would time out
    const trace = new RecordingTrace();
    const { value: r, ms } = await timed(t.clock, t.resolver.resolve(A('www.example'), trace));
    expect(r.rcode).toBe(Rcode.NOERROR);
    const first = sendTimes(t, AUTH1)[0]!;
    const hedge = sendTimes(t, AUTH2)[0]!;
    expect(hedge.atMs - first.atMs).toBeGreaterThanOrEqual(Math.floor(hedgeAt));
    expect(hedge.atMs - first.atMs).toBeLessThanOrEqual(Math.ceil(hedgeAt) + 1);
    expect(sendTimes(t, AUTH1)).toHaveLength(1);
    expect(sendTimes(t, AUTH2)).toHaveLength(1);
    // Answered by the hedge: well before the first try's timeout would have moved on.
    expect(ms).toBeLessThan(rto + 30);
    expect(trace.events.filter((e) => e.kind === 'hedge')).toHaveLength(1);
  });

  it('one hedge per zone query: with three slow servers, the third is asked only when a try times out', async () => {
    const t = makeResolver(ROOT);
    t.net.advanceOnTimeout = false;
    const zone = exampleAt([AUTH1, AUTH2, AUTH3]);
    recordSends(t, {
      [ROOT]: rootFor([['ns1.example', AUTH1], ['ns2.example', AUTH2], ['ns3.example', AUTH3]]),
      [AUTH1]: slow(t.clock, 5000, zone), [AUTH2]: slow(t.clock, 5000, zone), [AUTH3]: slow(t.clock, 20, zone),
    });
    learnRtts(t);
    t.infra.reportRtt(`${AUTH3}:53`, 700);
    const hedgeAt = t.infra.srtt(`${AUTH1}:53`)! + 2 * t.infra.rttVar(`${AUTH1}:53`);
    const rto = t.infra.rto(`${AUTH1}:53`);
    const { value: r } = await timed(t.clock, t.resolver.resolve(A('www.example')));
    expect(r.rcode).toBe(Rcode.NOERROR);
    const first = sendTimes(t, AUTH1)[0]!.atMs;
    const later = [...sendTimes(t, AUTH2), ...sendTimes(t, AUTH3)].map((s) => s.atMs - first).sort((a, b) => a - b);
    // One hedge at AUTH1's expected RTT; the third server only once AUTH1's try timed out (its RTO when sent).
    expect(later[0]).toBeGreaterThanOrEqual(Math.floor(hedgeAt));
    expect(later[0]).toBeLessThan(rto);
    expect(later[1]).toBeGreaterThanOrEqual(rto);
  });

  it('per zone, hedges stay within the burst plus a tenth of the zone’s queries, however slow its servers are', async () => {
    const t = makeResolver(ROOT);
    t.net.advanceOnTimeout = false;
    const zone = exampleAt([AUTH1, AUTH2]);
    // Both servers always answer later than AUTH1's expected RTT but before its RTO: every query would be worth
    // hedging, none times out.
    learnRtts(t);
    const hedgeAt = t.infra.srtt(`${AUTH1}:53`)! + 2 * t.infra.rttVar(`${AUTH1}:53`);
    const delay = Math.round((hedgeAt + t.infra.rto(`${AUTH1}:53`)) / 2);
    recordSends(t, { [ROOT]: rootFor([['ns1.example', AUTH1], ['ns2.example', AUTH2]]), [AUTH1]: slow(t.clock, delay, zone), [AUTH2]: slow(t.clock, delay, zone) });
    const names = Array.from({ length: 30 }, (_, i) => `n${i}.example`);
    let hedges = 0;
    for (const n of names) {
      // The same server state before every name (the fake network reports 5 ms RTTs, which would make AUTH1 look
      // ever faster): AUTH1 expected at hedgeAt, answering later but before its RTO.
      t.infra.clear();
      learnRtts(t);
      const trace = new RecordingTrace();
      const { value: r } = await timed(t.clock, t.resolver.resolve(A(n), trace));
      expect(r.rcode).toBe(Rcode.NOERROR);
      hedges += trace.events.filter((e) => e.kind === 'hedge').length;
    }
    // HEDGE_BURST (2) + HEDGE_SHARE (0.1) × 30 zone queries of example (+1 for the first referral's zone query).
    expect(hedges).toBeGreaterThan(0);
    expect(hedges).toBeLessThanOrEqual(HEDGE_BURST + Math.floor(HEDGE_SHARE * (names.length + 1)));
    const total = sendTimes(t, AUTH1).length + sendTimes(t, AUTH2).length;
    expect(total).toBeLessThanOrEqual(Math.ceil(names.length * 1.1) + HEDGE_BURST);
  });
});

describe('glueless NS names looked up in parallel', () => {
  it('the lookup starts with the first query to the server that has an address, and the found server backs it up', async () => {
    const t = makeResolver(ROOT);
    t.net.advanceOnTimeout = false;
    const zone = exampleAt([AUTH1], ['dns.other.test']);
    const other = authoritative('other.test', [rr.ns('other.test', 'ns.other.test'), rr.a('ns.other.test', OTHER, 86400), rr.a('dns.other.test', AUTH2)]);
    recordSends(t, {
      [ROOT]: rootFor([['ns1.example', AUTH1]], ['dns.other.test']),
      [AUTH1]: slow(t.clock, 5000, zone), // silent: each try times out
      [OTHER]: slow(t.clock, 10, other),
      [AUTH2]: slow(t.clock, 10, zone),
    });
    const { value: r, ms } = await timed(t.clock, t.resolver.resolve(A('www.example')));
    expect(r.rcode).toBe(Rcode.NOERROR);
    const firstToAuth1 = sendTimes(t, AUTH1)[0]!.atMs;
    // The lookup's first query (to the root, towards other.test) goes at the same moment as the first query to
    // the known server, not after its timeout.
    const lookup = sendTimes(t, ROOT).find((s) => s.name === 'test' || s.name.endsWith('other.test'))!;
    expect(sendTimes(t, OTHER).map((s) => s.name)).toContain('dns.other.test');
    expect(lookup.atMs).toBe(firstToAuth1);
    // The server it found is asked as a hedge at AUTH1's expected RTT (never heard from: UNKNOWN_SERVER_HEDGE_MS),
    // before AUTH1's first try times out (376 ms).
    const toAuth2 = sendTimes(t, AUTH2)[0]!.atMs - firstToAuth1;
    expect(toAuth2).toBe(UNKNOWN_SERVER_HEDGE_MS);
    expect(ms).toBeLessThan(DEFAULT_INFRA_LIMITS.unknownRtoMs);
  });

  it('a delegation to many glueless names starts at most PARALLEL_NS_LOOKUPS lookups beside a server that answers', async () => {
    const t = makeResolver(ROOT);
    t.net.advanceOnTimeout = false;
    const glueless = Array.from({ length: 6 }, (_, i) => `ns${i}.other.test`);
    const zone = exampleAt([AUTH1], glueless);
    const other = authoritative('other.test', [rr.ns('other.test', 'ns.other.test'), rr.a('ns.other.test', OTHER, 86400), ...glueless.map((h) => rr.a(h, AUTH2))]);
    recordSends(t, { [ROOT]: rootFor([['ns1.example', AUTH1]], glueless), [AUTH1]: slow(t.clock, 20, zone), [OTHER]: slow(t.clock, 10, other), [AUTH2]: slow(t.clock, 10, zone) });
    const { value: r } = await timed(t.clock, t.resolver.resolve(A('www.example')));
    expect(r.rcode).toBe(Rcode.NOERROR);
    await runFor(t.clock, 200); // let the background lookups finish
    expect(sendTimes(t, OTHER).filter((s) => glueless.includes(s.name))).toHaveLength(PARALLEL_NS_LOOKUPS);
    expect(sendTimes(t, AUTH2)).toHaveLength(0);
  });
});

describe('prefetch of popular delegations', () => {
  const NS_TTL = 100;
  const root = authoritative('.', [rr.ns('.', 'a.root.test'), rr.a('a.root.test', ROOT), rr.ns('example', 'ns1.example', NS_TTL), rr.a('ns1.example', AUTH1, 86400)]);
  const zone = exampleAt([AUTH1]);
  const delegationQueries = (t: TestResolver): number => t.net.log.filter((l) => l.to === ROOT && l.name.toLowerCase() === 'example').length;

  it('a delegation used often is fetched from the parent again in its last 10% of TTL, once, and never expires in use', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, root).on(AUTH1, zone);
    for (let i = 0; i < POPULAR_DELEGATION_USES; i++) await t.resolver.resolve(A(`n${i}.example`));
    expect(delegationQueries(t)).toBe(1); // the first referral
    t.clock.advance((NS_TTL - 5) * 1000); // 5% of the TTL left
    await t.resolver.resolve(A('n20.example'));
    await runFor(t.clock, 20); // the refresh runs in the background
    expect(t.net.log.filter((l) => l.to === ROOT && l.name.toLowerCase() === 'example' && l.type === 'NS')).toHaveLength(1);
    for (let i = 21; i < 26; i++) await t.resolver.resolve(A(`n${i}.example`));
    expect(delegationQueries(t)).toBe(2); // once per NS set's lifetime, however often it is used
    // Past the first NS set's expiry: the refreshed delegation serves, no client query waits for the root.
    t.clock.advance(20_000);
    await t.resolver.resolve(A('n30.example'));
    expect(delegationQueries(t)).toBe(2);
    expect(t.rrsets.get('example', 'NS', 1)).not.toBeNull();
  });

  it('a delegation used only a few times is left to expire', async () => {
    const t = makeResolver(ROOT);
    t.net.on(ROOT, root).on(AUTH1, zone);
    await t.resolver.resolve(A('n1.example'));
    t.clock.advance((NS_TTL - 5) * 1000);
    await t.resolver.resolve(A('n2.example'));
    await runFor(t.clock, 20);
    expect(delegationQueries(t)).toBe(1);
    t.clock.advance(20_000);
    await t.resolver.resolve(A('n3.example'));
    expect(delegationQueries(t)).toBe(2); // asked again only because it expired
  });
});
