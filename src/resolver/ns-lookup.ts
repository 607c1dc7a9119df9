// Glueless delegations: the address of an NS name that came without glue is found by a side resolution
// (`req.sub`), within the request's limits — and never for a name inside the zone it serves, nor for one this
// request is already looking up (a cycle).
import { isInZone } from '../wire/names.js';
import type { Limits } from './limits.js';
import type { Request } from './request.js';
import type { UpstreamTarget } from './step.js';
import type { ZoneCuts } from './zone-cut.js';

/**
 * The addresses of a glueless NS name of zone, as targets; none when a rule or a limit says no. `refetch`: the
 * cached addresses went silent, ask the name's zone again (what it says replaces them in the cache).
 */
export async function lookupNsAddresses(nsName: string, zone: string, req: Request, cuts: ZoneCuts, limits: Limits, refetch = false): Promise<UpstreamTarget[]> {
  // An NS name inside the zone it serves cannot be reached without glue.
  if (isInZone(nsName, zone)) {
    req.failed(`${nsName} (in ${zone}, no glue)`);
    return [];
  }
  const types = cuts.addressTypes();
  const cycling = types.find((t) => req.isInProgress(nsName, t));
  if (cycling) {
    // Already being looked up on this path, and no glue broke the chain: a dependency cycle, not worth a query.
    req.failed(`${nsName} (dependency cycle: ${req.cycleTo(nsName, cycling)})`);
    return [];
  }
  const { maxSubqueryDepth, maxNsLookups } = limits;
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
  const results = await Promise.all(types.map((type) => req.sub(nsName, type, refetch)));
  const out: UpstreamTarget[] = [];
  results.forEach((r, i) => {
    for (const rr of r.answer) if (rr.type === types[i]) out.push(cuts.target(nsName, rr.data as string));
  });
  return out;
}
