// The resolver's front: resolve one client question (with serve-stale around it), join identical questions in
// flight, prefetch near-expiry answers, prime the root. The work itself is done by the parts wired here:
// the CNAME chain over cache steps and iteration; iteration over zone queries, the validator hook and the
// learner. No sockets or timers of its own: the network is a Transport, time is a Clock, randomness a Random.
import { MIN_ANSWER_RANK } from '../cache/rank.js';
import { newUpstreamTallies, type UpstreamTallies } from '../observe/tallies.js';
import { Exchanger } from '../upstream/exchange.js';
import { EdeCode } from '../wire/ede.js';
import { canonical } from '../wire/names.js';
import { Rcode, type Question } from '../wire/types.js';
import { ServerAsker } from './ask.js';
import { ChainResolver } from './chain.js';
import { ConfiguredZones } from './configured-zones.js';
import { CacheReader } from './from-cache.js';
import { InFlight } from './in-flight.js';
import { Iterator } from './iterator.js';
import { Learner } from './learn.js';
import { mayQueryLoopback } from './loopback.js';
import { MinimiseMemory } from './minimise-memory.js';
import type { LimitHit } from './limits.js';
import type { ResolverDeps } from './options.js';
import { RRsetPresenter } from './present.js';
import { Request, type Recursion } from './request.js';
import type { Resolution } from './resolution.js';
import { ServerSelector } from './servers.js';
import { staleAnswer } from './stale.js';
import type { Step } from './step.js';
import type { Trace } from './trace.js';
import { noValidation } from './validate.js';
import { ZoneCuts } from './zone-cut.js';
import { ZoneQuerier } from './zone-query.js';

const PRIME_RETRY_MS = 10_000;

const questionKey = (q: Question): string => `${canonical(q.name)}|${q.type}|${q.class}`;

export class Resolver {
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private readonly prefetching = new Set<string>();
  private priming: Promise<void> | null = null;
  private lastPrimeAttemptMs = -Infinity;
  private readonly fromCache: CacheReader;
  private readonly iterator: Iterator;
  private readonly chain: ChainResolver;
  private readonly recursion: Recursion;
  /** Upstream tries by result, their RTTs, prefetches started: read by the metrics (kept over reloads). */
  readonly tallies: UpstreamTallies;

  /** A forward or stub zone for '.': the root hints are never used, so the root is never primed. */
  private readonly rootConfigured: boolean;

  constructor(private readonly d: ResolverDeps) {
    this.tallies = d.tallies ?? newUpstreamTallies();
    this.rootConfigured = d.configuredZones?.closest('.') != null;
    const presenter = new RRsetPresenter(d.rrsets, d.rrsetOrder, d.random);
    const cuts = new ZoneCuts(d.rrsets, d.hints, d.useIpv6, d.upstreamPort, d.configuredZones ?? ConfiguredZones.none());
    const servers = new ServerSelector(d.infra, d.random, { caseRandomisation: d.caseRandomisation, upstreamTimeoutMs: d.limits.upstreamTimeoutMs });
    const asker = new ServerAsker({ servers, exchanger: new Exchanger(d.transport, d.random), inFlight: new InFlight(d.limits), clock: d.clock, limits: d.limits, tallies: this.tallies, dnssecOk: (d.dnssecOk ?? false) && d.validator !== undefined });
    const zones = new ZoneQuerier(cuts, servers, asker, d.limits, mayQueryLoopback(d.doNotQueryLocalhost, d.hints));
    this.fromCache = new CacheReader(d.rrsets, d.negatives, presenter, d.prefetch, d.synthesiser);
    this.iterator = new Iterator({
      cuts,
      zones,
      learner: new Learner(d.rrsets, d.negatives, presenter, { clock: d.clock, bogusTtl: d.bogusTtl ?? 60, ...(d.synthesiser ? { synthesiser: d.synthesiser } : {}) }),
      validator: d.validator ?? noValidation,
      limits: d.limits,
      qnameMinimisation: d.qnameMinimisation,
      minimiseMemory: new MinimiseMemory(d.clock),
    });
    this.chain = new ChainResolver((name, qtype, req) => this.step(name, qtype, req), d.limits.maxCnameChain);
    this.recursion = {
      resolve: (name, type, req) => this.chain.resolve(name, type, req),
      prefetch: (q) => this.prefetch(q),
      onLimit: (hit: LimitHit) => d.onLimit?.(hit),
    };
  }

  /**
   * Resolves one client question. Identical questions in flight share one resolution. With serve-stale, a
   * failed or slow (client-response timer) resolution is answered from expired cache (RFC 8767 §5).
   */
  resolve(q: Question, trace?: Trace, o: { checkingDisabled?: boolean } = {}): Promise<Resolution> {
    const cd = o.checkingDisabled ?? false;
    // A bug must cost one SERVFAIL, never a client left waiting forever.
    const work = (trace ? this.resolveFresh(q, this.deadline(), trace, false, cd) : this.resolveJoined(q, this.deadline(), cd)).catch(
      (e: unknown): Resolution => ({ rcode: Rcode.SERVFAIL, answer: [], authority: [], ede: { code: EdeCode.OTHER, text: `internal error: ${(e as Error).message}` } }),
    );
    const stale = this.d.serveStale;
    if (!stale) return work;
    const fromStale = (why: string): Resolution | null => staleAnswer(this.d.rrsets, q, stale.windowMs, this.d.limits.maxCnameChain, why);
    return new Promise((resolve) => {
      let answered = false;
      const cancel = this.d.clock.setTimer(stale.answerAfterMs, () => {
        const s = answered ? null : fromStale('resolution still running');
        if (s) {
          answered = true;
          resolve(s);
        }
      });
      void work.then((r) => {
        cancel();
        if (answered) return;
        answered = true;
        const s = r.rcode === Rcode.SERVFAIL ? fromStale(r.ede?.text ?? 'resolution failed') : null;
        resolve(s ?? r);
      });
    });
  }

  /** Refreshes a question's near-expiry RRsets in the background (prefetch); one refresh per question at a time. */
  prefetch(q: Question): void {
    if (!this.d.prefetch) return;
    const key = questionKey(q);
    if (this.prefetching.has(key)) return;
    this.prefetching.add(key);
    this.tallies.prefetches++;
    void this.resolveFresh(q, this.deadline(), undefined, true).finally(() => this.prefetching.delete(key));
  }

  private deadline(): number {
    return this.d.clock.nowMs() + this.d.limits.queryTimeoutMs;
  }

  /**
   * Joins a resolution of the same question already running. Each caller keeps its own deadline: when the
   * shared resolution ran out of time before this caller's deadline, this caller tries again on what it has left.
   */
  private resolveJoined(q: Question, deadlineMs: number, cd: boolean): Promise<Resolution> {
    // CD=1 and CD=0 queries differ in what they may be given (bogus data): they never share a resolution.
    const key = cd ? `${questionKey(q)}|cd` : questionKey(q);
    const running = this.inflight.get(key);
    if (running) {
      return running.then((r) => (r.limit === 'query-time' && this.d.clock.nowMs() < deadlineMs ? this.resolveJoined(q, deadlineMs, cd) : r));
    }
    const p = this.resolveFresh(q, deadlineMs, undefined, false, cd).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async resolveFresh(q: Question, deadlineMs: number, trace?: Trace, refreshing = false, checkingDisabled = false): Promise<Resolution> {
    await this.ensurePrimed(trace);
    return this.chain.resolve(q.name, q.type, Request.start({ deadlineMs, trace, refreshing, checkingDisabled }, this.recursion));
  }

  /** One name, no CNAME following beyond what one reply carries: cache first, then the network. */
  private step(name: string, qtype: string, req: Request): Promise<Step> {
    const cached = this.fromCache.step(name, qtype, req);
    return cached ? Promise.resolve(cached) : this.iterator.iterate(name, qtype, req);
  }

  /**
   * RFC 8109: ask a root server for the root NS set once, so later work uses current data, not the hints.
   * Priming is a request of its own, with its own budget: the client queries waiting on it do not pay for it.
   */
  private ensurePrimed(trace: Trace | undefined): Promise<void> {
    if (this.rootConfigured || this.d.rrsets.get('.', 'NS', MIN_ANSWER_RANK)) return Promise.resolve();
    // A failed priming is not retried for every query: the hints serve meanwhile.
    const now = this.d.clock.nowMs();
    if (!this.priming && now - this.lastPrimeAttemptMs < PRIME_RETRY_MS) return Promise.resolve();
    if (!this.priming) {
      this.lastPrimeAttemptMs = now;
      const req = Request.start({ deadlineMs: this.deadline(), trace, depth: 1 }, this.recursion);
      this.priming = this.step('.', 'NS', req)
        .then(() => undefined)
        .finally(() => {
          this.priming = null;
        });
    }
    return this.priming;
  }
}
