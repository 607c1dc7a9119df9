// Asking one zone: its servers (a forward or stub zone's own, else its NS names' addresses) in the order server
// selection gives, glueless NS names looked up when the known addresses run out, then further rounds over the
// servers that timed out, until one server gives a usable reply or the request's budget (time, upstream queries)
// says stop. Late replies to earlier tries are accepted until the zone query ends (late-replies.ts).
import { LateReplies } from '../upstream/late-replies.js';
import { isInZone } from '../wire/names.js';
import { serverKey } from '../wire/types.js';
import type { AskResult, ServerAsker } from './ask.js';
import { usefulness, type Settled } from './classify.js';
import type { Limits } from './limits.js';
import { isLoopbackAddress } from './loopback.js';
import { lookupNsAddresses } from './ns-lookup.js';
import type { Request } from './request.js';
import type { ServerSelector } from './servers.js';
import type { UpstreamTarget, ZoneCut } from './step.js';
import type { ZoneCuts } from './zone-cut.js';

/** Glueless NS names resolved at the same time (each still counts against max-ns-lookups). */
const PARALLEL_NS_LOOKUPS = 2;
/**
 * Tries of one server in one zone query before it counts as unreachable (Unbound's outbound-msg-retry is 5). With
 * the RTO doubling per timeout, five tries of a silent server take about 3.5 s: most of a 4 s query budget.
 */
export const TRIES_PER_SERVER = 5;
/** A held-down server (infra-cache.ts) is only probed: one try per zone query. */
const TRIES_WHEN_HELD_DOWN = 1;

export class ZoneQuerier {
  constructor(
    private readonly cuts: ZoneCuts,
    private readonly servers: ServerSelector,
    private readonly asker: ServerAsker,
    private readonly limits: Limits,
    /** false: addresses on this host learnt from delegations are not asked (loopback.ts). */
    private readonly queryLoopback: boolean,
  ) {}

  /**
   * Asks the servers of one zone cut until one gives a usable reply. Servers with known addresses go first; NS
   * names without addresses are resolved only when those run out (glueless delegation). Servers that timed out
   * are asked again in further rounds, each ordered anew by what the last one taught (backed-off RTOs), up to
   * TRIES_PER_SERVER each: a lost datagram or a rate limiter's drop must not fail a zone while the client's
   * budget has room. The budget (query-timeout-ms, max-upstream-queries) is what ends the retries.
   */
  async query(cut: ZoneCut, name: string, qtype: string, req: Request): Promise<AskResult> {
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
    let queue = this.servers.choose(known, cut.zone, qtype);
    /** Servers asked in this round (an address may be listed under two NS names). */
    const askedThisRound = new Set<string>();
    const triesLeft = new Map<string, number>();
    let timedOut: UpstreamTarget[] = [];
    /** Whether the addresses of the servers that timed out were looked up again (once per zone query). */
    let refetched = cut.configured !== undefined;
    /** Glueless NS-name lookups under way (they go on in the background if a server answers first). */
    const lookups = new Map<number, Promise<{ id: number; found: UpstreamTarget[] }>>();
    let lookupIds = 0;
    // RFC 8914 code 23 (Network Error) only when every server failed at the network level.
    let tries = 0;
    let networkErrors = 0;
    let refused = false;
    /** The most useful reply of a recursion-lame server: used only when no server answers as an authority. */
    let lastResort: Settled | undefined;
    for (;;) {
      const next = queue.shift();
      if (!next) {
        if (lookups.size === 0) {
          // Glueless: look up a few NS names at once.
          for (const ns of unresolved.splice(0, PARALLEL_NS_LOOKUPS)) {
            const id = lookupIds++;
            lookups.set(id, lookupNsAddresses(ns, cut.zone, req, this.cuts, this.limits).then((found) => ({ id, found })));
          }
        }
        if (lookups.size > 0) {
          // The first addresses found are tried right away: a lookup in a silent zone may retry for seconds.
          const { id, found } = await Promise.race(lookups.values());
          lookups.delete(id);
          queue.push(...this.servers.choose(this.allowed(found, req), cut.zone, qtype));
          continue;
        }
        if (!refetched && timedOut.length > 0) {
          // A server that moved keeps its cached address until that expires: before retrying the old addresses,
          // look up again the names (outside the zone: not glue) whose every address went silent.
          refetched = true;
          const silent = this.silentNames(timedOut, known, cut.zone);
          for (const ns of silent) {
            const id = lookupIds++;
            lookups.set(id, lookupNsAddresses(ns, cut.zone, req, this.cuts, this.limits, true).then((found) => ({ id, found })));
          }
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
      const key = serverKey(next.addr);
      if (askedThisRound.has(key)) continue;
      askedThisRound.add(key);
      const left = (triesLeft.get(key) ?? (this.servers.isHeldDown(next.addr) ? TRIES_WHEN_HELD_DOWN : TRIES_PER_SERVER)) - 1;
      triesLeft.set(key, left);
      const result = await this.asker.ask(next, cut, name, qtype, req, late);
      if (result.kind === 'classified') return result;
      tries++;
      if (result.networkError) networkErrors++;
      if (result.refused) refused = true;
      if (result.lastResort && (!lastResort || usefulness(result.lastResort) > usefulness(lastResort))) lastResort = result.lastResort;
      if (req.budget.limitHit) return { kind: 'failed', retry: false };
      if (result.retry && left > 0) timedOut.push(next);
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
