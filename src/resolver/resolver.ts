// Iterative resolution (RFC 1034 §5.3.3): from the closest known zone cut (or the root hints) follow referrals
// down to the authoritative servers, follow CNAME chains across zones, and cache what every reply teaches.
// No sockets or timers here: the network is a Transport, time is a Clock, randomness is a Random.
import { isRotatedType, orderRecords } from '../cache/order.js';
import { MIN_ANSWER_RANK, Rank, type RankValue } from '../cache/rank.js';
import { RRsetCache } from '../cache/rrset-cache.js';
import { Exchanger, type TryReport } from '../upstream/exchange.js';
import { EdeCode } from '../wire/ede.js';
import type { ExtendedError } from '../wire/edns.js';
import { canonical, isInZone, labelCount, parentOf } from '../wire/names.js';
import { Rcode, serverKey, type Question, type RR, type ServerAddr } from '../wire/types.js';
import { classifyReply, type Classification } from './classify.js';
import type { Resolution } from './resolution.js';
import { nextTarget, startMinimising } from './minimise.js';
import type { ResolverDeps } from './options.js';
import { ServerSelector } from './servers.js';
import type { Trace, TraceOutcome } from './trace.js';


const PRIME_RETRY_MS = 10_000;
/** Glueless NS names resolved at the same time (each still counts against max-ns-lookups). */
const PARALLEL_NS_LOOKUPS = 2;

/** RFC 8767 §4: the TTL of stale answers. */
export const STALE_TTL = 30;
/** Prefetch when less than this fraction of the original TTL is left (Unbound: 10%). */
const PREFETCH_FRACTION = 0.1;

interface ZoneCut {
  zone: string;
  nsNames: string[];
}

interface UpstreamTarget {
  nsName: string;
  addr: ServerAddr;
}

/** What one client query may still spend, and what went wrong: shared by all its side resolutions. */
interface Budget {
  deadlineMs: number;
  upstreamQueries: number;
  /** Glueless NS-name lookups started per delegation (zone), across every visit of it by this client query. */
  nsLookupsByZone: Map<string, number>;
  failures: string[];
  limitHit: string | null;
}

/** Per resolution path: the shared budget plus this path's own depth and NS names in progress. */
interface QueryState {
  budget: Budget;
  depth: number;
  resolvingNs: ReadonlySet<string>;
  trace: Trace | undefined;
  /** A background refresh: RRsets near expiry count as missing so they are fetched again. */
  refreshing: boolean;
}

type Step =
  | { kind: 'answer'; cnames: RR[]; records: RR[] }
  | { kind: 'continue'; cnames: RR[]; target: string }
  | { kind: 'nxdomain'; cnames: RR[]; soa: RR | null }
  | { kind: 'nodata'; cnames: RR[]; soa: RR | null }
  | { kind: 'fail'; reason: string; ede: ExtendedError };

/** `networkError`: the try failed at the network level (unreachable, refused by the OS), not by a server's reply. */
type AskResult = { kind: 'classified'; c: Exclude<Classification, { kind: 'lame' }> } | { kind: 'failed'; retry: boolean; networkError?: boolean };

function groupRRsets(records: readonly RR[]): RR[][] {
  const groups = new Map<string, RR[]>();
  for (const r of records) {
    const key = `${canonical(r.name)}|${r.type}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/** The trace line for one try that did not end in a reply (a reply is traced once classified). */
function tryOutcome(t: TryReport): TraceOutcome | null {
  switch (t.kind) {
    case 'timeout':
      return { kind: 'timeout' };
    case 'neterror':
      return { kind: 'neterror', error: t.error };
    case 'case-mismatch':
      return { kind: 'garbage', reason: 'question case not preserved, retrying without 0x20' };
    case 'malformed':
      return { kind: 'garbage', reason: t.reason };
    case 'edns-rejected':
      return { kind: 'lame', reason: `${t.rcode} to EDNS, retrying without` };
    case 'truncated':
      return { kind: 'truncated' };
    case 'reply':
      return null;
    default: {
      const never: never = t;
      throw new Error(`unhandled try report ${String(never)}`);
    }
  }
}

export class Resolver {
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private readonly prefetching = new Set<string>();
  private outstanding = 0;
  private readonly outstandingByZone = new Map<string, number>();
  private priming: Promise<void> | null = null;
  private lastPrimeAttemptMs = -Infinity;

  private readonly servers: ServerSelector;
  private readonly exchanger: Exchanger;

  constructor(private readonly d: ResolverDeps) {
    this.servers = new ServerSelector(d.infra, d.random, { caseRandomisation: d.caseRandomisation, upstreamTimeoutMs: d.limits.upstreamTimeoutMs });
    this.exchanger = new Exchanger(d.transport, d.random);
  }

  /**
   * Resolves one client question. Identical questions in flight share one resolution. With serve-stale, a
   * failed or slow (client-response timer) resolution is answered from expired cache (RFC 8767 §5).
   */
  resolve(q: Question, trace?: Trace): Promise<Resolution> {
    // A bug must cost one SERVFAIL, never a client left waiting forever.
    const work = (trace ? this.resolveFresh(q, trace, false) : this.resolveJoined(q)).catch(
      (e: unknown): Resolution => ({ rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: { code: EdeCode.OTHER, text: `internal error: ${(e as Error).message}` } }),
    );
    const stale = this.d.serveStale;
    if (!stale) return work;
    return new Promise((resolve) => {
      let answered = false;
      const cancel = this.d.clock.setTimer(stale.answerAfterMs, () => {
        const s = answered ? null : this.staleAnswer(q, 'resolution still running');
        if (s) {
          answered = true;
          resolve(s);
        }
      });
      void work.then((r) => {
        cancel();
        if (answered) return;
        answered = true;
        const s = r.rcode === Rcode.SERVFAIL ? this.staleAnswer(q, r.ede?.text ?? 'resolution failed') : null;
        resolve(s ?? r);
      });
    });
  }

  private resolveJoined(q: Question): Promise<Resolution> {
    const key = `${canonical(q.name)}|${q.type}|${q.class}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.resolveFresh(q, undefined, false).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Refreshes a question's near-expiry RRsets in the background (prefetch); one refresh per question at a time. */
  prefetch(q: Question): void {
    if (!this.d.prefetch) return;
    const key = `${canonical(q.name)}|${q.type}|${q.class}`;
    if (this.prefetching.has(key)) return;
    this.prefetching.add(key);
    void this.resolveFresh(q, undefined, true).finally(() => this.prefetching.delete(key));
  }

  /** The answer expired cache can give (RFC 8767 §4: TTL 30, EDE 3 Stale Answer), following CNAMEs. */
  private staleAnswer(q: Question, why: string): Resolution | null {
    const stale = this.d.serveStale;
    if (!stale) return null;
    const answer: RR[] = [];
    let name = q.name;
    for (let i = 0; i <= this.d.limits.maxCnameChain; i++) {
      const data = this.d.rrsets.getStale(name, q.type, MIN_ANSWER_RANK, stale.windowMs, STALE_TTL);
      if (data) {
        return { rcode: Rcode.NOERROR, answer: answer.concat(data.records), authority: [], stale: true, ede: { code: EdeCode.STALE_ANSWER, text: `stale answer: ${why}` } };
      }
      const cname = q.type === 'CNAME' ? null : this.d.rrsets.getStale(name, 'CNAME', MIN_ANSWER_RANK, stale.windowMs, STALE_TTL);
      const first = cname?.records[0];
      if (!first) return null;
      answer.push(first);
      name = first.data as string;
    }
    return null;
  }

  private async resolveFresh(q: Question, trace: Trace | undefined, refreshing: boolean): Promise<Resolution> {
    const state: QueryState = {
      budget: { deadlineMs: this.d.clock.nowMs() + this.d.limits.queryTimeoutMs, upstreamQueries: 0, nsLookupsByZone: new Map(), failures: [], limitHit: null },
      depth: 0,
      resolvingNs: new Set(),
      trace,
      refreshing,
    };
    await this.ensurePrimed(state);
    return this.resolveChain(q.name, q.type, state);
  }

  /** RFC 8109: ask a root server for the root NS set once, so later work uses current data, not the hints. */
  private ensurePrimed(state: QueryState): Promise<void> {
    if (this.d.rrsets.get('.', 'NS', MIN_ANSWER_RANK)) return Promise.resolve();
    // A failed priming is not retried for every query: the hints serve meanwhile.
    const now = this.d.clock.nowMs();
    if (!this.priming && now - this.lastPrimeAttemptMs < PRIME_RETRY_MS) return Promise.resolve();
    if (!this.priming) {
      this.lastPrimeAttemptMs = now;
      this.priming = this.resolveStep('.', 'NS', { ...state, budget: { ...state.budget, failures: [] }, depth: state.depth + 1 })
        .then(() => undefined)
        .finally(() => {
          this.priming = null;
        });
    }
    return this.priming;
  }

  /** Follows CNAMEs from name until data, a negative answer, a failure or a limit (RFC 1034 §3.6.2). */
  private async resolveChain(qname: string, qtype: string, state: QueryState): Promise<Resolution> {
    const chain: RR[] = [];
    const seen = new Set<string>([canonical(qname)]);
    let name = qname;
    for (;;) {
      const step = await this.resolveStep(name, qtype, state);
      if (step.kind === 'fail') {
        this.traceStep(state, { kind: 'fail', qname: name, qtype, reason: step.reason, depth: state.depth });
        return { rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: step.ede };
      }
      for (const c of step.cnames) {
        chain.push(c);
        if (c.type !== 'CNAME') continue; // a DNAME travels with the CNAME synthesised from it
        const target = canonical(c.data as string);
        if (seen.has(target)) return this.failChain(chain, `CNAME loop at ${target}`);
        if (chain.filter((r) => r.type === 'CNAME').length > this.d.limits.maxCnameChain) {
          return this.failChain(chain, `CNAME chain longer than ${this.d.limits.maxCnameChain}`);
        }
        seen.add(target);
      }
      switch (step.kind) {
        case 'answer':
          return { rcode: Rcode.NOERROR, answer: chain.concat(step.records), authority: [] };
        case 'nxdomain':
          return { rcode: Rcode.NXDOMAIN, answer: chain, authority: step.soa ? [step.soa] : [] };
        case 'nodata':
          return { rcode: Rcode.NOERROR, answer: chain, authority: step.soa ? [step.soa] : [] };
        case 'continue':
          name = step.target;
          break;
        default: {
          const never: never = step;
          throw new Error(`unhandled step ${String(never)}`);
        }
      }
    }
  }

  private failChain(_chain: RR[], reason: string): Resolution {
    return { rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: { code: EdeCode.OTHER, text: reason } };
  }

  /** One name, no CNAME following beyond what one reply carries: cache first, then the network. */
  private async resolveStep(name: string, qtype: string, state: QueryState): Promise<Step> {
    const cached = this.fromCache(name, qtype, state);
    if (cached) return cached;
    return this.iterate(name, qtype, state);
  }

  private fromCache(name: string, qtype: string, state: QueryState): Step | null {
    const hit = this.d.rrsets.get(name, qtype, MIN_ANSWER_RANK);
    const nearExpiry = hit !== null && this.d.prefetch && RRsetCache.remainingFraction(hit) < PREFETCH_FRACTION;
    if (hit && nearExpiry && state.refreshing) return null; // a prefetch fetches it again
    if (hit) {
      if (nearExpiry && state.depth === 0) this.prefetch({ name, type: qtype, class: 'IN' });
      this.traceStep(state, { kind: 'cache', qname: name, qtype, what: 'answer', depth: state.depth });
      return { kind: 'answer', cnames: [], records: this.present(hit.records) };
    }
    if (qtype !== 'CNAME') {
      const cname = this.d.rrsets.get(name, 'CNAME', MIN_ANSWER_RANK);
      const first = cname?.records[0];
      if (first) {
        this.traceStep(state, { kind: 'cache', qname: name, qtype, what: 'cname', depth: state.depth });
        return { kind: 'continue', cnames: [first], target: first.data as string };
      }
    }
    const neg = this.d.negatives.get(name, qtype);
    if (neg) {
      this.traceStep(state, { kind: 'cache', qname: name, qtype, what: neg.kind, depth: state.depth });
      return { kind: neg.kind, cnames: [], soa: neg.soa };
    }
    return null;
  }

  /** Round-robin (or the configured order) applied to an RRset about to be served. */
  private present(records: RR[]): RR[] {
    const first = records[0];
    if (!first || !isRotatedType(first.type)) return records;
    const hit = this.d.rrsets.get(first.name, first.type, Rank.ADDITIONAL);
    const turn = hit ? hit.entry.turns++ : 0;
    const base = hit && hit.records.length === records.length ? hit.records : records;
    return orderRecords(base, this.d.rrsetOrder, turn, this.d.random);
  }

  /** Walks down from the closest known zone cut until a server gives an answer for `name`. */
  private async iterate(name: string, qtype: string, state: QueryState): Promise<Step> {
    let cut = this.closestCut(name, qtype);
    // RFC 9156 §2: DS lives at the parent and is asked as is.
    const mini = startMinimising(this.d.qnameMinimisation && qtype !== 'DS');
    for (let steps = 0; ; steps++) {
      if (steps > this.d.limits.maxReferrals) {
        return this.fail(state, `more than ${this.d.limits.maxReferrals} referrals for ${name}`, EdeCode.OTHER);
      }
      const target = nextTarget(name, cut.zone, mini);
      const minimised = target !== name;
      if (minimised) mini.sent++;
      // RFC 9156 §2.1: minimised queries ask for A, which every server answers sensibly.
      const asked = await this.queryZone(cut, target, minimised ? 'A' : qtype, state);
      if (asked.kind === 'failed') {
        if (minimised && !state.budget.limitHit) {
          // Relaxed mode (RFC 9156 §2.3): a server that chokes on the minimised name gets the full one.
          mini.on = false;
          continue;
        }
        // RFC 8914 §4: 22 No Reachable Authority, 23 Network Error; a limit hit has no code of its own (0 Other).
        const code = state.budget.limitHit ? EdeCode.OTHER : asked.networkError ? EdeCode.NETWORK_ERROR : EdeCode.NO_REACHABLE_AUTHORITY;
        const why = state.budget.limitHit ? `${state.budget.limitHit} while asking ${cut.zone} for ${target}` : `no server for ${cut.zone} answered`;
        return this.fail(state, `${why}: ${state.budget.failures.slice(-6).join(', ')}`.replace(/: $/, ''), code);
      }
      const c = asked.c;
      if (c.kind === 'referral') {
        // RFC 1034 §5.3.3 4b: the new cut must be closer to the name than the old one, or it is a loop.
        if (!isInZone(c.zone, cut.zone) || canonical(c.zone) === canonical(cut.zone)) {
          return this.fail(state, `referral from ${cut.zone} to ${c.zone} does not lead down`, EdeCode.OTHER);
        }
        this.storeSets(c.ns, Rank.AUTHORITY_NONAUTH);
        this.storeSets(c.glue, Rank.ADDITIONAL);
        cut = { zone: c.zone, nsNames: c.ns.map((r) => canonical(r.data as string)) };
        mini.askedLabels = 0;
        continue;
      }
      const step = this.learn(c, minimised ? 'A' : qtype);
      if (!minimised) return step;
      // A minimised name answered without a referral: no cut there, go one step deeper. NXDOMAIN or a CNAME on
      // the way is handled by asking the full name (relaxed mode: some servers get empty non-terminals wrong).
      if (c.kind === 'answer' || c.kind === 'nodata') mini.askedLabels = labelCount(target);
      else mini.on = false;
    }
  }

  /** Caches what a non-referral reply says and turns it into a step. */
  private learn(c: Exclude<Classification, { kind: 'referral' | 'lame' }>, qtype: string): Step {
    const rank = c.authoritative ? Rank.ANSWER_AUTH : Rank.ANSWER_NONAUTH;
    this.storeSets(c.cnames, rank);
    switch (c.kind) {
      case 'answer':
        this.storeSets(c.records, rank);
        this.storeSets(c.glue, Rank.ADDITIONAL);
        return { kind: 'answer', cnames: c.cnames, records: this.present(c.records) };
      case 'cname':
        return { kind: 'continue', cnames: c.cnames, target: c.target };
      case 'nxdomain':
      case 'nodata': {
        // RFC 2308 §5: negative answers are cached only with the zone's SOA, served with the cache's TTL.
        const soa = c.soa ? this.d.negatives.store(c.name, c.kind === 'nxdomain' ? null : qtype, c.soa) : null;
        return { kind: c.kind, cnames: c.cnames, soa };
      }
      default: {
        const never: never = c;
        throw new Error(`unhandled classification ${String(never)}`);
      }
    }
  }

  private storeSets(records: readonly RR[], rank: RankValue): void {
    for (const set of groupRRsets(records)) this.d.rrsets.store(set, rank);
  }

  /** The deepest zone whose NS set we know, else the root from the hints. DS lives in the parent (RFC 4035 §3.1.4.1). */
  private closestCut(name: string, qtype: string): ZoneCut {
    let n = qtype === 'DS' && canonical(name) !== '.' ? parentOf(name) : canonical(name);
    for (;;) {
      const ns = this.d.rrsets.get(n, 'NS', Rank.ADDITIONAL);
      if (ns && ns.records.length > 0) {
        const cut = { zone: n, nsNames: ns.records.map((r) => canonical(r.data as string)) };
        if (this.isReachable(cut)) return cut;
        // Its glue expired before its NS set: ask the parent again for a fresh referral with glue.
      }
      if (n === '.') break;
      n = parentOf(n);
    }
    return { zone: '.', nsNames: this.d.hints.nsNames };
  }

  /** A cut is usable when some server has an address or can be looked up outside the zone itself. */
  private isReachable(cut: ZoneCut): boolean {
    return cut.nsNames.some((ns) => !isInZone(ns, cut.zone) || this.knownAddresses(ns).length > 0);
  }

  private knownAddresses(nsName: string): string[] {
    const out: string[] = [];
    for (const type of this.d.useIpv6 ? ['A', 'AAAA'] : ['A']) {
      const hit = this.d.rrsets.get(nsName, type, Rank.ADDITIONAL);
      if (hit) for (const r of hit.records) out.push(r.data as string);
    }
    if (out.length === 0) {
      const hinted = this.d.hints.addresses.get(nsName) ?? [];
      for (const a of hinted) if (this.d.useIpv6 || !a.includes(':')) out.push(a);
    }
    return out;
  }

  private targetsOf(nsName: string): UpstreamTarget[] {
    return this.knownAddresses(nsName).map((address) => ({ nsName, addr: { address, port: this.d.upstreamPort } }));
  }

  /**
   * Asks the servers of one zone cut in turn until one gives a usable reply. Servers with known addresses go
   * first, in the order server selection gives; NS names without addresses are resolved only when those run out
   * (glueless delegation). A server that timed out gets one more try, with a doubled timeout, when nothing else
   * is left (a lost UDP packet should not fail a single-server zone).
   */
  private async queryZone(cut: ZoneCut, name: string, qtype: string, state: QueryState): Promise<AskResult> {
    const tried = new Set<string>();
    const retryLater: UpstreamTarget[] = [];
    const unresolved: string[] = [];
    const known: UpstreamTarget[] = [];
    for (const ns of cut.nsNames) {
      const targets = this.targetsOf(ns);
      if (targets.length > 0) known.push(...targets);
      else unresolved.push(ns);
    }
    const queue = this.servers.choose(known, cut.zone, qtype);
    // RFC 8914 code 23 (Network Error) only when every server failed at the network level.
    let tries = 0;
    let networkErrors = 0;
    for (let retried = false; ; ) {
      const next = queue.shift();
      if (!next) {
        if (unresolved.length > 0) {
          // Glueless: look up a few NS names at once; the first usable addresses are tried right away.
          const batch = unresolved.splice(0, PARALLEL_NS_LOOKUPS);
          const found = (await Promise.all(batch.map((ns) => this.lookupNsAddresses(ns, cut.zone, state)))).flat();
          queue.push(...this.servers.choose(found, cut.zone, qtype));
          continue;
        }
        if (!retried && retryLater.length > 0) {
          retried = true;
          queue.push(...retryLater.splice(0));
          tried.clear();
          continue;
        }
        return { kind: 'failed', retry: false, networkError: tries > 0 && networkErrors === tries };
      }
      const key = serverKey(next.addr);
      if (tried.has(key)) continue;
      tried.add(key);
      const result = await this.ask(next, cut.zone, name, qtype, state);
      if (result.kind === 'classified') return result;
      tries++;
      if (result.networkError) networkErrors++;
      if (state.budget.limitHit) return { kind: 'failed', retry: false };
      if (result.retry) retryLater.push(next);
    }
  }

  /** Resolves the address of a glueless NS name through the full machinery, within the query's limits. */
  private async lookupNsAddresses(nsName: string, zone: string, state: QueryState): Promise<UpstreamTarget[]> {
    // An NS name inside the zone it serves cannot be reached without glue.
    if (isInZone(nsName, zone)) {
      state.budget.failures.push(`${nsName} (in ${zone}, no glue)`);
      return [];
    }
    if (state.resolvingNs.has(nsName)) return []; // already being looked up further up this path: a cycle
    if (state.depth >= this.d.limits.maxSubqueryDepth) {
      state.budget.failures.push(`${nsName} (side resolutions nested deeper than ${this.d.limits.maxSubqueryDepth})`);
      return [];
    }
    // NXNSAttack (CVE-2020-12662): a delegation to many glueless names starts at most max-ns-lookups lookups;
    // max-upstream-queries bounds the client query as a whole.
    const started = state.budget.nsLookupsByZone.get(zone) ?? 0;
    if (started >= this.d.limits.maxNsLookups) {
      state.budget.failures.push(`${nsName} (NS lookup limit ${this.d.limits.maxNsLookups} for ${zone})`);
      return [];
    }
    state.budget.nsLookupsByZone.set(zone, started + 1);
    this.traceStep(state, { kind: 'ns-lookup', nsName, zone, depth: state.depth });
    const sub: QueryState = { ...state, depth: state.depth + 1, resolvingNs: new Set([...state.resolvingNs, nsName]) };
    const types = this.d.useIpv6 ? ['A', 'AAAA'] : ['A'];
    // A and AAAA side lookups run in parallel.
    const results = await Promise.all(types.map((type) => this.resolveChain(nsName, type, sub)));
    const out: UpstreamTarget[] = [];
    results.forEach((r, i) => {
      for (const rr of r.answer) {
        if (rr.type === types[i]) out.push({ nsName, addr: { address: rr.data as string, port: this.d.upstreamPort } });
      }
    });
    return out;
  }

  /** One server, one question through the upstream exchange; what each try teaches goes to server selection. */
  private async ask(target: UpstreamTarget, zone: string, name: string, qtype: string, state: QueryState): Promise<AskResult> {
    const where = `${target.addr.address} (${target.nsName})`;
    const trace = (tcp: boolean, rttMs: number | null, outcome: TraceOutcome): void => this.traceAsk(state, target, zone, name, qtype, tcp, rttMs, outcome);
    const result = await this.exchanger.exchange(target.addr, { name, type: qtype }, this.servers.profile(target.addr), {
      beforeSend: (tcp) => this.admit(state, zone, target.addr, tcp),
      afterSend: () => this.release(zone),
      onTry: (t) => {
        this.servers.report(target.addr, zone, qtype, t);
        const outcome = tryOutcome(t);
        if (outcome) trace(t.tcp, 'rttMs' in t ? t.rttMs : null, outcome);
      },
    });
    switch (result.kind) {
      case 'timeout':
        state.budget.failures.push(`${where} timeout`);
        return { kind: 'failed', retry: true };
      case 'neterror':
        state.budget.failures.push(`${where} ${result.error}`);
        return { kind: 'failed', retry: false, networkError: true };
      case 'malformed':
        state.budget.failures.push(`${where} malformed reply`);
        return { kind: 'failed', retry: false };
      case 'stopped':
        return { kind: 'failed', retry: false };
      case 'exhausted':
        state.budget.failures.push(`${where} gave no usable reply`);
        return { kind: 'failed', retry: false };
      case 'reply':
        break;
      default: {
        const never: never = result;
        throw new Error(`unhandled exchange result ${String(never)}`);
      }
    }
    const c = classifyReply(result.packet, zone, name, qtype, this.d.limits.maxRrsetSize);
    trace(result.tcp, result.rttMs, this.outcomeOf(c));
    if (c.kind === 'lame') {
      this.servers.report(target.addr, zone, qtype, { kind: 'lame' });
      state.budget.failures.push(`${where} ${c.reason}`);
      return { kind: 'failed', retry: false };
    }
    return { kind: 'classified', c };
  }

  /** Before each send: the try's timeout, or null when a budget or an in-flight limit says stop. */
  private admit(state: QueryState, zone: string, addr: ServerAddr, tcp: boolean): number | null {
    const left = state.budget.deadlineMs - this.d.clock.nowMs();
    if (left <= 0) {
      state.budget.limitHit = `query time budget of ${this.d.limits.queryTimeoutMs} ms used up`;
      return null;
    }
    if (state.budget.upstreamQueries >= this.d.limits.maxUpstreamQueries) {
      state.budget.limitHit = `upstream query limit of ${this.d.limits.maxUpstreamQueries} reached`;
      return null;
    }
    if (this.outstanding >= this.d.limits.maxOutstanding) {
      state.budget.limitHit = `${this.outstanding} upstream queries already in flight (limit ${this.d.limits.maxOutstanding})`;
      return null;
    }
    const zoneLoad = this.outstandingByZone.get(zone) ?? 0;
    if (zoneLoad >= this.d.limits.maxOutstandingPerZone) {
      state.budget.limitHit = `${zoneLoad} upstream queries to ${zone} already in flight (limit ${this.d.limits.maxOutstandingPerZone})`;
      return null;
    }
    state.budget.upstreamQueries++;
    this.outstanding++;
    this.outstandingByZone.set(zone, zoneLoad + 1);
    return Math.min(this.servers.timeoutMs(addr, tcp), left);
  }

  private release(zone: string): void {
    this.outstanding--;
    const left = (this.outstandingByZone.get(zone) ?? 1) - 1;
    if (left <= 0) this.outstandingByZone.delete(zone);
    else this.outstandingByZone.set(zone, left);
  }

  private outcomeOf(c: Classification): TraceOutcome {
    switch (c.kind) {
      case 'referral':
        return { kind: 'referral', zone: c.zone, servers: c.ns.map((r) => canonical(r.data as string)), glue: c.glue.length };
      case 'answer':
        return { kind: 'answer', records: c.cnames.length + c.records.length };
      case 'cname':
        return { kind: 'cname', target: c.target };
      case 'nxdomain':
        return { kind: 'nxdomain' };
      case 'nodata':
        return { kind: 'nodata' };
      case 'lame':
        return { kind: 'lame', reason: c.reason };
      default: {
        const never: never = c;
        throw new Error(`unhandled classification ${String(never)}`);
      }
    }
  }

  private fail(state: QueryState, reason: string, code: number): Step {
    return { kind: 'fail', reason, ede: { code, text: reason } };
  }

  private traceAsk(
    state: QueryState,
    target: UpstreamTarget,
    zone: string,
    qname: string,
    qtype: string,
    tcp: boolean,
    rttMs: number | null,
    outcome: TraceOutcome,
  ): void {
    if (!state.trace) return;
    state.trace.step({ kind: 'upstream', server: target.nsName, address: target.addr.address, zone, qname, qtype, tcp, rttMs, outcome, depth: state.depth });
  }

  private traceStep(state: QueryState, e: Parameters<Trace['step']>[0]): void {
    state.trace?.step(e);
  }
}
