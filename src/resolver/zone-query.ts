// Asking one zone: its servers (a forward or stub zone's own, else its NS names' addresses) in the order server
// selection gives, glueless NS names looked up when the known addresses run out, one more try for servers that
// timed out, until one server gives a usable reply.
import { serverKey } from '../wire/types.js';
import type { AskResult, ServerAsker } from './ask.js';
import type { Limits } from './limits.js';
import { lookupNsAddresses } from './ns-lookup.js';
import type { Request } from './request.js';
import type { ServerSelector } from './servers.js';
import type { UpstreamTarget, ZoneCut } from './step.js';
import type { ZoneCuts } from './zone-cut.js';

/** Glueless NS names resolved at the same time (each still counts against max-ns-lookups). */
const PARALLEL_NS_LOOKUPS = 2;

export class ZoneQuerier {
  constructor(
    private readonly cuts: ZoneCuts,
    private readonly servers: ServerSelector,
    private readonly asker: ServerAsker,
    private readonly limits: Limits,
  ) {}

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
    if (cut.configured) known.push(...cut.configured.targets);
    else {
      for (const ns of cut.nsNames) {
        const targets = this.cuts.targetsOf(ns);
        if (targets.length > 0) known.push(...targets);
        else unresolved.push(ns);
      }
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
          const found = (await Promise.all(batch.map((ns) => lookupNsAddresses(ns, cut.zone, req, this.cuts, this.limits)))).flat();
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
      const result = await this.asker.ask(next, cut, name, qtype, req);
      if (result.kind === 'classified') return result;
      tries++;
      if (result.networkError) networkErrors++;
      if (req.budget.limitHit) return { kind: 'failed', retry: false };
      if (result.retry) retryLater.push(next);
    }
  }

}
