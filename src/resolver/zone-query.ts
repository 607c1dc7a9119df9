// Asking one zone: its servers in the order server selection gives, glueless NS names looked up through side
// resolutions when the known addresses run out, each server through the upstream exchange, each reply
// classified. Budgets and in-flight limits are checked before every send.
import type { Exchanger } from '../upstream/exchange.js';
import type { Clock } from '../util/clock.js';
import { isInZone } from '../wire/names.js';
import { serverKey, type ServerAddr } from '../wire/types.js';
import { classifyReply, type Classification } from './classify.js';
import type { InFlight } from './in-flight.js';
import type { Limits } from './limits.js';
import { replyOutcome, tryOutcome } from './outcomes.js';
import type { Request } from './request.js';
import type { ServerSelector } from './servers.js';
import type { UpstreamTarget, ZoneCut } from './step.js';
import type { TraceOutcome } from './trace.js';
import type { ZoneCuts } from './zone-cut.js';

/** Glueless NS names resolved at the same time (each still counts against max-ns-lookups). */
const PARALLEL_NS_LOOKUPS = 2;

/** `networkError`: the try failed at the network level (unreachable, refused by the OS), not by a server's reply. */
export type AskResult = { kind: 'classified'; c: Exclude<Classification, { kind: 'lame' }> } | { kind: 'failed'; retry: boolean; networkError?: boolean };

export interface ZoneQueryDeps {
  cuts: ZoneCuts;
  servers: ServerSelector;
  exchanger: Exchanger;
  inFlight: InFlight;
  clock: Clock;
  limits: Limits;
}

export class ZoneQuerier {
  constructor(private readonly d: ZoneQueryDeps) {}

  /**
   * Asks the servers of one zone cut in turn until one gives a usable reply. Servers with known addresses go
   * first; NS names without addresses are resolved only when those run out (glueless delegation). A server that
   * timed out gets one more try, with a doubled timeout, when nothing else is left (a lost UDP packet should not
   * fail a single-server zone).
   */
  async query(cut: ZoneCut, name: string, qtype: string, req: Request): Promise<AskResult> {
    const tried = new Set<string>();
    const retryLater: UpstreamTarget[] = [];
    const unresolved: string[] = [];
    const known: UpstreamTarget[] = [];
    for (const ns of cut.nsNames) {
      const targets = this.d.cuts.targetsOf(ns);
      if (targets.length > 0) known.push(...targets);
      else unresolved.push(ns);
    }
    const queue = this.d.servers.choose(known, cut.zone, qtype);
    // RFC 8914 code 23 (Network Error) only when every server failed at the network level.
    let tries = 0;
    let networkErrors = 0;
    for (let retried = false; ; ) {
      const next = queue.shift();
      if (!next) {
        if (unresolved.length > 0) {
          // Glueless: look up a few NS names at once; the first usable addresses are tried right away.
          const batch = unresolved.splice(0, PARALLEL_NS_LOOKUPS);
          const found = (await Promise.all(batch.map((ns) => this.lookupNsAddresses(ns, cut.zone, req)))).flat();
          queue.push(...this.d.servers.choose(found, cut.zone, qtype));
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
      const result = await this.ask(next, cut.zone, name, qtype, req);
      if (result.kind === 'classified') return result;
      tries++;
      if (result.networkError) networkErrors++;
      if (req.budget.limitHit) return { kind: 'failed', retry: false };
      if (result.retry) retryLater.push(next);
    }
  }

  /** Resolves the address of a glueless NS name through a side resolution, within the request's limits. */
  private async lookupNsAddresses(nsName: string, zone: string, req: Request): Promise<UpstreamTarget[]> {
    // An NS name inside the zone it serves cannot be reached without glue.
    if (isInZone(nsName, zone)) {
      req.failed(`${nsName} (in ${zone}, no glue)`);
      return [];
    }
    const types = this.d.cuts.addressTypes();
    if (types.some((t) => req.isInProgress(nsName, t))) return []; // already being looked up on this path: a cycle
    const { maxSubqueryDepth, maxNsLookups } = this.d.limits;
    if (req.depth >= maxSubqueryDepth) {
      req.skip({ limit: 'subquery-depth', detail: `side resolutions nested deeper than ${maxSubqueryDepth}` }, `${nsName} (side resolutions nested deeper than ${maxSubqueryDepth})`);
      return [];
    }
    // NXNSAttack (CVE-2020-12662): a delegation to many glueless names starts at most max-ns-lookups lookups;
    // max-upstream-queries bounds the request as a whole.
    const started = req.budget.nsLookupsByZone.get(zone) ?? 0;
    if (started >= maxNsLookups) {
      req.skip({ limit: 'ns-lookups', detail: `NS lookup limit ${maxNsLookups} for ${zone}` }, `${nsName} (NS lookup limit ${maxNsLookups} for ${zone})`);
      return [];
    }
    req.budget.nsLookupsByZone.set(zone, started + 1);
    req.step({ kind: 'ns-lookup', nsName, zone, depth: req.depth });
    // A and AAAA side lookups run in parallel.
    const results = await Promise.all(types.map((type) => req.sub(nsName, type)));
    const out: UpstreamTarget[] = [];
    results.forEach((r, i) => {
      for (const rr of r.answer) if (rr.type === types[i]) out.push(this.d.cuts.target(nsName, rr.data as string));
    });
    return out;
  }

  /** One server, one question through the upstream exchange; what each try teaches goes to server selection. */
  private async ask(target: UpstreamTarget, zone: string, name: string, qtype: string, req: Request): Promise<AskResult> {
    const where = `${target.addr.address} (${target.nsName})`;
    const trace = (tcp: boolean, rttMs: number | null, outcome: TraceOutcome): void =>
      req.step({ kind: 'upstream', server: target.nsName, address: target.addr.address, zone, qname: name, qtype, tcp, rttMs, outcome, depth: req.depth });
    const result = await this.d.exchanger.exchange(target.addr, { name, type: qtype }, this.d.servers.profile(target.addr), {
      beforeSend: (tcp) => this.admit(req, zone, target.addr, tcp),
      afterSend: () => this.d.inFlight.release(zone),
      onTry: (t) => {
        this.d.servers.report(target.addr, zone, qtype, t);
        const outcome = tryOutcome(t);
        if (outcome) trace(t.tcp, 'rttMs' in t ? t.rttMs : null, outcome);
      },
    });
    switch (result.kind) {
      case 'timeout':
        req.failed(`${where} timeout`);
        return { kind: 'failed', retry: true };
      case 'neterror':
        req.failed(`${where} ${result.error}`);
        return { kind: 'failed', retry: false, networkError: true };
      case 'malformed':
        req.failed(`${where} malformed reply`);
        return { kind: 'failed', retry: false };
      case 'stopped':
        return { kind: 'failed', retry: false };
      case 'exhausted':
        req.failed(`${where} gave no usable reply`);
        return { kind: 'failed', retry: false };
      case 'reply':
        break;
      default: {
        const never: never = result;
        throw new Error(`unhandled exchange result ${String(never)}`);
      }
    }
    const c = classifyReply(result.packet, zone, name, qtype, this.d.limits.maxRrsetSize);
    trace(result.tcp, result.rttMs, replyOutcome(c));
    if (c.kind === 'lame') {
      this.d.servers.report(target.addr, zone, qtype, { kind: 'lame' });
      req.failed(`${where} ${c.reason}`);
      return { kind: 'failed', retry: false };
    }
    return { kind: 'classified', c };
  }

  /** Before each send: the try's timeout, or null when the request's budget or an in-flight limit says stop. */
  private admit(req: Request, zone: string, addr: ServerAddr, tcp: boolean): number | null {
    const { queryTimeoutMs, maxUpstreamQueries } = this.d.limits;
    const left = req.timeLeftMs(this.d.clock.nowMs());
    if (left <= 0) {
      req.stop({ limit: 'query-time', detail: `query time budget of ${queryTimeoutMs} ms used up` });
      return null;
    }
    if (req.budget.upstreamQueries >= maxUpstreamQueries) {
      req.stop({ limit: 'upstream-queries', detail: `upstream query limit of ${maxUpstreamQueries} reached` });
      return null;
    }
    const busy = this.d.inFlight.acquire(zone);
    if (busy) {
      req.stop(busy);
      return null;
    }
    req.budget.upstreamQueries++;
    return Math.min(this.d.servers.timeoutMs(addr, tcp), left);
  }
}
