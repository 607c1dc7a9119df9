// RFC 8198 aggressive use of the DNSSEC-validated cache: the NSEC records of secure denials are kept per zone,
// so a later question for a name inside a proven gap is answered NXDOMAIN (or NODATA) from the cache instead of
// being sent to the zone's servers — a random-subdomain flood costs one query per gap, not one per name.
// NSEC only: NSEC3 ranges would need the zone's hashing per name (RFC 8198 §4 allows it; not done here).
import { LRUCache } from 'lru-cache';
import type { DenialSynthesiser, SynthesisedDenial } from '../resolver/synthesis.js';
import type { Clock } from '../util/clock.js';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import { nsecCovers, nsecDenial } from './denial.js';

interface KeptNsec {
  nsec: RR;
  sigs: RR[];
  expiresAtMs: number;
}

interface ZoneRanges {
  soa: RR;
  soaSigs: RR[];
  soaExpiresAtMs: number;
  nsecs: Map<string, KeptNsec>;
}

const coveringSig = (sigs: readonly RR[], r: RR): RR[] =>
  sigs.filter((s) => s.type === 'RRSIG' && canonical(s.name) === canonical(r.name) && (s.data as { typeCovered: string }).typeCovered === r.type);

export class AggressiveNsec implements DenialSynthesiser {
  private readonly zones: LRUCache<string, ZoneRanges>;
  /** Denials answered from cached NSEC ranges. */
  readonly tallies = { synthesised: 0 };

  constructor(
    private readonly clock: Clock,
    maxZones = 2048,
    private readonly maxPerZone = 256,
  ) {
    this.zones = new LRUCache({ max: maxZones });
  }

  learn(zone: string, soa: RR | null, records: readonly RR[]): void {
    const z = canonical(zone);
    const nsecs = records.filter((r) => r.type === 'NSEC' && isInZone(r.name, z));
    if (!soa || canonical(soa.name) !== z || nsecs.length === 0) return;
    const now = this.clock.nowMs();
    // RFC 9077 / RFC 8198 §5.4: an NSEC lives no longer than the zone's negative TTL.
    const minimum = (soa.data as { minimum?: number }).minimum ?? soa.ttl;
    const negativeTtl = Math.min(soa.ttl, minimum);
    const entry = this.zones.get(z) ?? { soa, soaSigs: [], soaExpiresAtMs: 0, nsecs: new Map<string, KeptNsec>() };
    entry.soa = soa;
    entry.soaSigs = coveringSig(records, soa);
    entry.soaExpiresAtMs = now + soa.ttl * 1000;
    for (const nsec of nsecs) {
      if (entry.nsecs.size >= this.maxPerZone && !entry.nsecs.has(canonical(nsec.name))) break;
      entry.nsecs.set(canonical(nsec.name), { nsec, sigs: coveringSig(records, nsec), expiresAtMs: now + Math.min(nsec.ttl, negativeTtl) * 1000 });
    }
    this.zones.set(z, entry);
  }

  synthesise(name: string, type: string): SynthesisedDenial | null {
    const zone = this.closestZone(name);
    if (!zone) return null;
    const now = this.clock.nowMs();
    if (zone.soaExpiresAtMs <= now) return null;
    const fresh = [...zone.nsecs.values()].filter((k) => k.expiresAtMs > now);
    if (fresh.length === 0) return null;
    const records = fresh.map((k) => k.nsec);
    const kind = nsecDenial(records, name, type, 'nxdomain').kind === 'proven' ? 'nxdomain' : nsecDenial(records, name, type, 'nodata').kind === 'proven' ? 'nodata' : null;
    if (!kind) return null;
    this.tallies.synthesised++;
    const left = Math.min(...fresh.map((k) => k.expiresAtMs), zone.soaExpiresAtMs) - now;
    const ttl = Math.max(1, Math.floor(left / 1000));
    // The records that speak to this name: the NSEC at or covering it and those at or covering its wildcards.
    const relevant = fresh.filter((k) => canonical(k.nsec.name) === canonical(name) || nsecCovers(k.nsec, name) || wildcardsOf(name).some((w) => canonical(k.nsec.name) === w || nsecCovers(k.nsec, w)));
    const proof = [...relevant.flatMap((k) => [k.nsec, ...k.sigs]), ...zone.soaSigs].map((r) => ({ ...r, ttl }));
    return { kind, soa: { ...zone.soa, ttl }, proof };
  }

  clear(): void {
    this.zones.clear();
  }

  /** Forgets the ranges of every zone at, above or below `name` that could speak for it. */
  flush(name: string): void {
    for (const zone of [...this.zones.keys()]) if (isInZone(name, zone) || isInZone(zone, name)) this.zones.delete(zone);
  }

  private closestZone(name: string): ZoneRanges | undefined {
    for (let n = canonical(name); ; n = parentOf(n)) {
      const z = this.zones.get(n);
      if (z) return z;
      if (n === '.') return undefined;
    }
  }
}

/** The wildcard names that could have matched `name`: "*." + each of its ancestors. */
function wildcardsOf(name: string): string[] {
  const out: string[] = [];
  for (let n = parentOf(name); ; n = parentOf(n)) {
    out.push(n === '.' ? '*' : `*.${n}`);
    if (n === '.') return out;
  }
}
