// Asking one zone: its servers (a forward or stub zone's own, else its NS names' addresses) in the order server
// selection gives, glueless NS names looked up in parallel with the servers that have addresses, a hedged query
// to a second server when the first is slower than expected (hedge.ts), then further rounds over the servers that
// timed out, until one server gives a usable reply or the request's budget (time, upstream queries) says stop.
// Late replies to earlier tries are accepted until the zone query ends (late-replies.ts).
import { LateReplies } from '../upstream/late-replies.js';
import type { Clock } from '../util/clock.js';
import { isInZone } from '../wire/names.js';
import { serverKey } from '../wire/types.js';
import type { AskResult, ServerAsker } from './ask.js';
import { usefulness, type Settled } from './classify.js';
import type { DelegationPrefetch } from './delegation-prefetch.js';
import type { HedgeAllowance } from './hedge.js';
import type { Limits } from './limits.js';
import { isLoopbackAddress } from './loopback.js';
import { lookupNsAddresses } from './ns-lookup.js';
import type { Request } from './request.js';
import type { ServerSelector } from './servers.js';
import type { UpstreamTarget, ZoneCut } from './step.js';
import type { ZoneCuts } from './zone-cut.js';

/** Glueless NS names resolved at the same time (each still counts against max-ns-lookups). */
export const PARALLEL_NS_LOOKUPS = 2;
/**
 * Tries of one server in one zone query before it counts as unreachable (Unbound's outbound-msg-retry is 5). With
 * the RTO doubling per timeout, five tries of a silent server take about 3.5 s: most of a 4 s query budget.
 */
export const TRIES_PER_SERVER = 5;
/** A held-down server (infra-cache.ts) is only probed: one try per zone query. */
const TRIES_WHEN_HELD_DOWN = 1;
/** Hedged queries per zone query (hedge.ts bounds them per request and per zone as well). */
const HEDGES_PER_ZONE_QUERY = 1;

/** What a zone query waits for next: a server's reply (or failure), a glueless lookup, or the hedge timer. */
type Wake =
  | { kind: 'asked'; id: number; target: UpstreamTarget; result: AskResult }
  | { kind: 'looked-up'; id: number; found: UpstreamTarget[] }
  | { kind: 'hedge'; id: number };

export class ZoneQuerier {
  constructor(
    private readonly cuts: ZoneCuts,
    private readonly servers: ServerSelector,
    private readonly asker: ServerAsker,
    private readonly limits: Limits,
    /** false: addresses on this host learnt from delegations are not asked (loopback.ts). */
    private readonly queryLoopback: boolean,
    private readonly clock: Clock,
    /** null: no hedged queries. */
    private readonly hedges: HedgeAllowance | null,
    /** null: popular delegations are not refreshed before they expire. */
    private readonly delegations: DelegationPrefetch | null,
  ) {}

  /**
   * Asks the servers of one zone cut until one gives a usable reply. Servers with known addresses go first; NS
   * names without addresses (a glueless delegation) are looked up at the same time, and what they find joins the
   * queue. A server slower than its expected RTT gets a second server asked beside it (a hedge). Servers that
   * timed out are asked again in further rounds, each ordered anew by what the last one taught (backed-off RTOs),
   * up to TRIES_PER_SERVER each: a lost datagram or a rate limiter's drop must not fail a zone while the client's
   * budget has room. The budget (query-timeout-ms, max-upstream-queries) is what ends the retries.
   */
  async query(cut: ZoneCut, name: string, qtype: string, req: Request): Promise<AskResult> {
    this.delegations?.used(cut);
    const late = new LateReplies();
    try {
      return await this.askServers(cut, name, qtype, req, late);
    } finally {
      late.close();
    }
  }

  private async askServers(cut: ZoneCut, name: string, qtype: string, req: Request, late: LateReplies): Promise<AskResult> {
    const unresolved: string[] = [];
    const known: UpstreamTarget[] = [];
    if (cut.configured) known.push(...cut.configured.targets);
    else {
      for (const ns of cut.nsNames) {
        const cached = this.cuts.targetsOf(ns);
        const targets = cached.length > 0 ? cached : (cut.glue ?? []).filter((g) => g.nsName === ns);
        if (targets.length > 0) known.push(...this.allowed(targets, req));
        else unresolved.push(ns);
      }
    }
    this.hedges?.earn(cut.zone);
    let queue = this.servers.choose(known, cut.zone, qtype);
    /** Servers asked in this round (an address may be listed under two NS names). */
    const askedThisRound = new Set<string>();
    const triesLeft = new Map<string, number>();
    let timedOut: UpstreamTarget[] = [];
    /** Whether the addresses of the servers that timed out were looked up again (once per zone query). */
    let refetched = cut.configured !== undefined;
    /** Servers being asked, glueless NS-name lookups and the hedge timer: whichever comes first wakes the loop. */
    const waits = new Map<number, Promise<Wake>>();
    let ids = 0;
    let asking = 0;
    let lookingUp = 0;
    let hedgesLeft = this.hedges ? HEDGES_PER_ZONE_QUERY : 0;
    /** The armed hedge timer's cancel (an object: closures set it). */
    const hedge: { cancel: (() => void) | null } = { cancel: null };
    // RFC 8914 code 23 (Network Error) only when every server failed at the network level.
    let tries = 0;
    let networkErrors = 0;
    let refused = false;
    /** The most useful reply of a recursion-lame server: used only when no server answers as an authority. */
    let lastResort: Settled | undefined;

    const lookUp = (ns: string, refetch = false): void => {
      const id = ids++;
      lookingUp++;
      waits.set(id, lookupNsAddresses(ns, cut.zone, req, this.cuts, this.limits, refetch).then((found): Wake => ({ kind: 'looked-up', id, found })));
    };
    /** The next server of this round that may be asked, or null. */
    const nextServer = (): UpstreamTarget | null => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const key = serverKey(next.addr);
        if (askedThisRound.has(key)) continue;
        return next;
      }
      return null;
    };
    /** The try a hedge would back up: the first server asked while nothing else was in flight, and when. */
    let primary: { target: UpstreamTarget; sentMs: number } | null = null;
    /** Arms the hedge timer for the primary try when another server could go beside it (hedge.ts). */
    const armHedge = (): void => {
      if (!primary || asking !== 1 || hedgesLeft <= 0 || hedge.cancel || queue.length === 0) return;
      // No earlier than the try's own timeout: then the move to the next server at the timeout is the hedge.
      const afterMs = this.servers.hedgeAfterMs(primary.target.addr);
      if (afterMs >= this.servers.timeoutMs(primary.target.addr, false)) return;
      const hedgeId = ids++;
      let fire!: () => void;
      // Decided after the poll phase (setImmediate): a reply already read from the socket when the timer falls due
      // (a busy event loop) answers first, and no hedge is sent for it.
      waits.set(hedgeId, new Promise<Wake>((r) => (fire = () => void setImmediate(() => r({ kind: 'hedge', id: hedgeId })))));
      const elapsed = this.clock.nowMs() - primary.sentMs;
      const cancelTimer = this.clock.setTimer(Math.max(0, afterMs - elapsed), fire);
      hedge.cancel = () => {
        cancelTimer();
        waits.delete(hedgeId);
        hedge.cancel = null;
      };
    };
    const ask = (target: UpstreamTarget): void => {
      const key = serverKey(target.addr);
      askedThisRound.add(key);
      const left = (triesLeft.get(key) ?? (this.servers.isHeldDown(target.addr) ? TRIES_WHEN_HELD_DOWN : TRIES_PER_SERVER)) - 1;
      triesLeft.set(key, left);
      const id = ids++;
      asking++;
      if (asking === 1) primary = { target, sentMs: this.clock.nowMs() };
      // Each try of the primary (an EDNS or TCP fallback is a new one) starts its wait for the hedge again.
      const onSend = (): void => {
        if (primary?.target !== target) return;
        primary.sentMs = this.clock.nowMs();
        if (hedge.cancel) {
          hedge.cancel();
          armHedge();
        }
      };
      waits.set(id, this.asker.ask(target, cut, name, qtype, req, late, onSend).then((result): Wake => ({ kind: 'asked', id, target, result })));
      armHedge();
    };

    // Glueless: the NS names without addresses are looked up now, beside the servers that have them, so that a
    // silent or slow known server does not cost their lookup time on top of its timeouts.
    for (const ns of unresolved.splice(0, PARALLEL_NS_LOOKUPS)) lookUp(ns);
    try {
      for (;;) {
        if (asking === 0) {
          const next = nextServer();
          if (next) {
            ask(next);
          } else if (lookingUp === 0) {
            if (unresolved.length > 0) {
              for (const ns of unresolved.splice(0, PARALLEL_NS_LOOKUPS)) lookUp(ns);
              continue;
            }
            if (!refetched && timedOut.length > 0) {
              // A server that moved keeps its cached address until that expires: before retrying the old addresses,
              // look up again the names (outside the zone: not glue) whose every address went silent.
              refetched = true;
              const silent = this.silentNames(timedOut, known, cut.zone);
              for (const ns of silent) lookUp(ns, true);
              if (silent.length > 0) continue;
            }
            if (timedOut.length > 0) {
              queue = this.servers.choose(timedOut, cut.zone, qtype);
              timedOut = [];
              askedThisRound.clear();
              continue;
            }
            if (lastResort) {
              req.step({ kind: 'last-resort', zone: cut.zone, qname: name, qtype, depth: req.depth });
              return { kind: 'classified', c: lastResort };
            }
            return { kind: 'failed', retry: false, networkError: tries > 0 && networkErrors === tries, refused };
          }
        }
        const wake = await Promise.race(waits.values());
        waits.delete(wake.id);
        switch (wake.kind) {
          case 'looked-up':
            // The first addresses found are tried as soon as no server is being asked: a lookup in a silent zone
            // may retry for seconds.
            lookingUp--;
            queue.push(...this.servers.choose(this.allowed(wake.found, req), cut.zone, qtype));
            // A server found while the primary is still out may be its hedge.
            armHedge();
            continue;
          case 'hedge': {
            hedge.cancel = null;
            const next = asking > 0 ? nextServer() : null;
            if (!next || !this.hedges?.take(cut.zone, req.budget)) {
              if (next) queue.unshift(next);
              continue;
            }
            hedgesLeft--;
            req.step({ kind: 'hedge', zone: cut.zone, qname: name, qtype, server: next.nsName, address: next.addr.address, depth: req.depth });
            ask(next);
            continue;
          }
          case 'asked': {
            asking--;
            const result = wake.result;
            if (result.kind === 'classified') return result;
            // The hedge timer belonged to the try that just failed; the next server asked gets its own.
            if (asking === 0) {
              hedge.cancel?.();
              primary = null;
            }
            tries++;
            if (result.networkError) networkErrors++;
            if (result.refused) refused = true;
            if (result.lastResort && (!lastResort || usefulness(result.lastResort) > usefulness(lastResort))) lastResort = result.lastResort;
            if (req.budget.limitHit) return { kind: 'failed', retry: false };
            if (result.retry && (triesLeft.get(serverKey(wake.target.addr)) ?? 0) > 0) timedOut.push(wake.target);
            continue;
          }
          default: {
            const never: never = wake;
            throw new Error(`unhandled wake ${String(never)}`);
          }
        }
      }
    } finally {
      // Lookups and a hedged try still running go on in the background (what they learn is cached); nobody waits
      // for them now, so nothing they do may become an unhandled rejection.
      hedge.cancel?.();
      for (const w of waits.values()) w.catch(() => undefined);
    }
  }

  /** The targets that may be asked: loopback ones only in a lab or when the config allows it. */
  private allowed(targets: UpstreamTarget[], req: Request): UpstreamTarget[] {
    if (this.queryLoopback) return targets;
    return targets.filter((t) => {
      if (!isLoopbackAddress(t.addr.address)) return true;
      req.failed(`${t.addr.address} (${t.nsName}) is loopback, not asked (do-not-query-localhost)`);
      return false;
    });
  }

  /** The NS names outside `zone` all of whose known addresses are among the servers that timed out. */
  private silentNames(timedOut: readonly UpstreamTarget[], known: readonly UpstreamTarget[], zone: string): string[] {
    const silent = new Set(timedOut.map((t) => serverKey(t.addr)));
    const names = new Set(known.filter((t) => !isInZone(t.nsName, zone)).map((t) => t.nsName));
    return [...names].filter((ns) => known.every((t) => t.nsName !== ns || silent.has(serverKey(t.addr))));
  }
}
