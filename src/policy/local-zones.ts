// Locally served zones: names that must never leak to the root (RFC 6761 special-use names, RFC 6303 reverse
// zones for private and special addresses, RFC 8375 home.arpa). Answered here, authoritatively, like Unbound's
// default local zones. A pure decision: question in, answer (or null: not ours) out.
import { canonical, isInZone } from '../wire/names.js';
import { Rcode, type Question, type RR } from '../wire/types.js';
import { CONTINUE, type Stage } from './stage.js';

export interface LocalAnswer {
  rcode: number;
  answer: RR[];
  authority: RR[];
}

/** RFC 6303 §4 reverse zones, RFC 6761 §6.4 invalid., RFC 8375 home.arpa. */
export const LOCALLY_SERVED_ZONES: readonly string[] = [
  // RFC 1918 and other IPv4 special ranges
  '10.in-addr.arpa',
  ...Array.from({ length: 16 }, (_, i) => `${16 + i}.172.in-addr.arpa`),
  '168.192.in-addr.arpa',
  '0.in-addr.arpa',
  '127.in-addr.arpa',
  '254.169.in-addr.arpa',
  '2.0.192.in-addr.arpa',
  '100.51.198.in-addr.arpa',
  '113.0.203.in-addr.arpa',
  '255.255.255.255.in-addr.arpa',
  // IPv6: unspecified, loopback, ULA, link-local, documentation
  '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa',
  '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa',
  'd.f.ip6.arpa',
  '8.e.f.ip6.arpa',
  '9.e.f.ip6.arpa',
  'a.e.f.ip6.arpa',
  'b.e.f.ip6.arpa',
  '8.b.d.0.1.0.0.2.ip6.arpa',
  'invalid',
  'home.arpa',
];

const LOCAL_TTL = 10800;

/** RFC 6303 §3: the SOA of a locally served zone. */
function soaFor(zone: string): RR {
  return {
    name: zone,
    type: 'SOA',
    class: 'IN',
    ttl: LOCAL_TTL,
    data: { mname: zone, rname: 'nobody.invalid', serial: 1, refresh: 3600, retry: 1200, expire: 604800, minimum: LOCAL_TTL },
  };
}

/** Whether a name inside a locally served zone belongs to a forward or stub zone at or below that zone. */
export type HandedOff = (name: string, localZone: string) => boolean;

export class LocalZones {
  private readonly zones: string[];

  /**
   * `handedOff`: names a forward or stub zone claims inside a default zone (1.168.192.in-addr.arpa sent to the
   * router) go to the resolver; the rest of the default zone stays local, as Unbound does.
   */
  constructor(
    enabled: boolean,
    private readonly handedOff: HandedOff = () => false,
  ) {
    this.zones = enabled ? LOCALLY_SERVED_ZONES.map(canonical) : [];
  }

  /**
   * The local answer for a question, or null when the name is not in a locally served zone. `hasNamesBelow`:
   * whether other local data lies below a name, which then exists (an empty non-terminal, RFC 8020 §2) and gets
   * NODATA instead of NXDOMAIN.
   */
  answer(q: Question, hasNamesBelow?: (canonicalName: string) => boolean): LocalAnswer | null {
    if (this.zones.length === 0) return null;
    const name = canonical(q.name);
    // RFC 6761 §6.3: localhost and every name below it are the loopback host.
    if (isInZone(name, 'localhost')) return this.localhost(q, name);
    const zone = this.zones.find((z) => isInZone(name, z));
    if (!zone || this.handedOff(name, zone)) return null;
    const soa = soaFor(zone);
    if (name === zone) {
      if (q.type === 'SOA') return { rcode: Rcode.NOERROR, answer: [soa], authority: [] };
      if (q.type === 'NS') return { rcode: Rcode.NOERROR, answer: [{ name: zone, type: 'NS', class: 'IN', ttl: LOCAL_TTL, data: zone }], authority: [] };
      return { rcode: Rcode.NOERROR, answer: [], authority: [soa] };
    }
    if (hasNamesBelow?.(name)) return { rcode: Rcode.NOERROR, answer: [], authority: [soa] };
    return { rcode: Rcode.NXDOMAIN, answer: [], authority: [soa] };
  }

  private localhost(q: Question, name: string): LocalAnswer {
    const owner = q.name === '' ? name : q.name;
    if (q.type === 'A') return { rcode: Rcode.NOERROR, answer: [{ name: owner, type: 'A', class: 'IN', ttl: LOCAL_TTL, data: '127.0.0.1' }], authority: [] };
    if (q.type === 'AAAA') return { rcode: Rcode.NOERROR, answer: [{ name: owner, type: 'AAAA', class: 'IN', ttl: LOCAL_TTL, data: '::1' }], authority: [] };
    return { rcode: Rcode.NOERROR, answer: [], authority: [soaFor('localhost')] };
  }
}

/**
 * Local zones as a stage: an authoritative answer (AA) that depends only on the question, so it may be kept in
 * the shared answer cache (the zones are fixed at start-up; whoever changes them must flush that cache).
 */
export function localZonesStage(zones: LocalZones, hasNamesBelow?: (canonicalName: string) => boolean): Stage {
  return {
    name: 'local-zones',
    decide(ctx) {
      const local = zones.answer(ctx.question, hasNamesBelow);
      return local ? { kind: 'answer', resolution: local, aa: true, cacheable: true } : CONTINUE;
    },
  };
}
