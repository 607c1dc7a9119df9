// Where to start asking: the closest zone cut we know servers for (RFC 1034 §5.3.3 step 2), and the addresses
// of a zone's servers from the cache or the root hints. A configured forward or stub zone comes before anything
// cached above it: its servers are where that subtree starts (below a stub zone, cached delegations still count).
import { Rank } from '../cache/rank.js';
import type { RRsetCache } from '../cache/rrset-cache.js';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { ConfiguredZone, ConfiguredZones } from './configured-zones.js';
import type { RR } from '../wire/types.js';
import type { RootHints } from './hints.js';
import type { UpstreamTarget, ZoneCut } from './step.js';

export class ZoneCuts {
  constructor(
    private readonly rrsets: RRsetCache,
    private readonly hints: RootHints,
    private readonly useIpv6: boolean,
    private readonly upstreamPort: number,
    private readonly configured: ConfiguredZones,
  ) {}

  /**
   * The deepest zone whose NS set we know, else the root from the hints. DS lives in the parent (RFC 4035
   * §3.1.4.1). A forward zone takes its whole subtree; a stub zone stops the walk up at its apex.
   * `ignoreConfigured`: as if no forward or stub zone were set (fallback: recurse).
   */
  closest(name: string, qtype: string, ignoreConfigured = false): ZoneCut {
    let n = qtype === 'DS' && canonical(name) !== '.' ? parentOf(name) : canonical(name);
    const configured = ignoreConfigured ? null : this.configured.closest(n);
    if (configured?.mode === 'forward') return this.configuredCut(configured);
    for (;;) {
      if (configured && n === configured.zone) return this.configuredCut(configured);
      const ns = this.rrsets.get(n, 'NS', Rank.ADDITIONAL);
      if (ns && ns.records.length > 0) {
        const side = ns.entry.rank >= Rank.AUTHORITY_AUTH ? 'child' : 'parent';
        const cut: ZoneCut = { zone: n, nsNames: ns.records.map((r) => canonical(r.data as string)), side };
        if (this.isReachable(cut)) return cut;
        // Its glue expired before its NS set: ask the parent again for a fresh referral with glue.
      }
      if (n === '.') break;
      n = parentOf(n);
    }
    return { zone: '.', nsNames: this.hints.nsNames };
  }

  private configuredCut(c: ConfiguredZone): ZoneCut {
    return { zone: c.zone, nsNames: c.targets.map((t) => t.nsName), configured: c };
  }

  /** The address types we ask servers over. */
  addressTypes(): readonly string[] {
    return this.useIpv6 ? ['A', 'AAAA'] : ['A'];
  }

  /** A referral's glue records as targets, of the address types we ask over. */
  glueTargets(glue: readonly RR[]): UpstreamTarget[] {
    const types = this.addressTypes();
    return glue.filter((r) => types.includes(r.type)).map((r) => this.target(canonical(r.name), r.data as string));
  }

  /** The known addresses of one server name, as targets. */
  targetsOf(nsName: string): UpstreamTarget[] {
    return this.knownAddresses(nsName).map((address) => this.target(nsName, address));
  }

  target(nsName: string, address: string): UpstreamTarget {
    return { nsName, addr: { address, port: this.upstreamPort } };
  }

  /** A cut is usable when some server has an address or can be looked up outside the zone itself. */
  private isReachable(cut: ZoneCut): boolean {
    return cut.nsNames.some((ns) => !isInZone(ns, cut.zone) || this.knownAddresses(ns).length > 0);
  }

  private knownAddresses(nsName: string): string[] {
    const out: string[] = [];
    for (const type of this.addressTypes()) {
      const hit = this.rrsets.get(nsName, type, Rank.ADDITIONAL);
      if (hit) for (const r of hit.records) out.push(r.data as string);
    }
    if (out.length === 0) {
      const hinted = this.hints.addresses.get(nsName) ?? [];
      for (const a of hinted) if (this.useIpv6 || !a.includes(':')) out.push(a);
    }
    return out;
  }
}
