// Locally served zones: names that must never leak to the root (RFC 6761 special-use names, RFC 6303 reverse
// zones for private and special addresses, RFC 8375 home.arpa). Answered here, authoritatively, like Unbound's
// default local zones, plus the operator's own `local-zones:` rules of Unbound's types. A pure decision:
// question in, verdict (or null: not ours) out.
import type { LocalZoneRule, LocalZoneType } from '../config/schema.js';
import type { Resolution } from '../resolver/resolution.js';
import { EdeCode } from '../wire/ede.js';
import { absolute, canonical, parentOf } from '../wire/names.js';
import { Rcode, type Question, type RR } from '../wire/types.js';
import { CONTINUE, DROP, type Stage } from './stage.js';

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

/** What the local-zones stage needs of local data: whether names lie below a name, and a name's own answer. */
export interface LocalNames {
  hasNamesBelow(canonicalName: string): boolean;
  answer(q: Question): Resolution | null;
}

/** null: not ours (resolve as usual); otherwise an answer, REFUSED or silence. */
export type LocalZoneVerdict = { kind: 'answer'; answer: LocalAnswer } | { kind: 'refuse'; zone: string } | { kind: 'drop' } | null;

const NO_NAMES: LocalNames = { hasNamesBelow: () => false, answer: () => null };

export class LocalZones {
  /** Zone → type; the defaults are static, rules replace them or add zones, nodefault removes one. */
  private readonly zones = new Map<string, Exclude<LocalZoneType, 'nodefault'>>();

  /**
   * `setting`: the defaults on or off, or on with Unbound-style rules. `handedOff`: names a forward or stub zone
   * claims inside a local zone (1.168.192.in-addr.arpa sent to the router) go to the resolver; the rest of the
   * zone stays local, as Unbound does.
   */
  constructor(
    setting: boolean | readonly LocalZoneRule[],
    private readonly handedOff: HandedOff = () => false,
  ) {
    if (setting === false) return;
    for (const z of LOCALLY_SERVED_ZONES) this.zones.set(canonical(z), 'static');
    this.zones.set('localhost', 'static');
    if (setting === true) return;
    for (const rule of setting) {
      if (rule.type === 'nodefault') this.zones.delete(canonical(rule.name));
      else this.zones.set(canonical(rule.name), rule.type);
    }
  }

  /** The answer of a static or redirect zone, or null (kept for callers that only answer). */
  answer(q: Question, names: LocalNames = NO_NAMES): LocalAnswer | null {
    const v = this.decide(q, names);
    return v?.kind === 'answer' ? v.answer : null;
  }

  /**
   * The deepest local zone holding the name decides (Unbound's local-zone types; local data of the name itself
   * was answered before this): static → NXDOMAIN/NODATA with the zone's SOA; transparent → resolve as usual;
   * redirect → the zone apex's local data for every name below; refuse → REFUSED; deny → no answer.
   */
  decide(q: Question, names: LocalNames = NO_NAMES): LocalZoneVerdict {
    if (this.zones.size === 0) return null;
    const name = canonical(q.name);
    const found = this.closest(name);
    if (!found || this.handedOff(name, found.zone)) return null;
    const { zone, type } = found;
    switch (type) {
      case 'transparent':
        return null;
      case 'refuse':
        return { kind: 'refuse', zone };
      case 'deny':
        return { kind: 'drop' };
      case 'redirect':
        return { kind: 'answer', answer: this.redirect(q, zone, names) };
      case 'static':
        // RFC 6761 §6.3: localhost and every name below it are the loopback host.
        if (zone === 'localhost') return { kind: 'answer', answer: this.localhost(q, name) };
        return { kind: 'answer', answer: this.staticAnswer(q, name, zone, names) };
      default: {
        const never: never = type;
        throw new Error(`unhandled local zone type ${String(never)}`);
      }
    }
  }

  private closest(name: string): { zone: string; type: Exclude<LocalZoneType, 'nodefault'> } | null {
    for (let n = name; ; n = parentOf(n)) {
      const type = this.zones.get(n);
      if (type) return { zone: n, type };
      if (n === '.') return null;
    }
  }

  /** A name with local data below it exists (an empty non-terminal, RFC 8020 §2): NODATA, not NXDOMAIN. */
  private staticAnswer(q: Question, name: string, zone: string, names: LocalNames): LocalAnswer {
    const soa = soaFor(zone);
    if (name === zone) {
      if (q.type === 'SOA') return { rcode: Rcode.NOERROR, answer: [soa], authority: [] };
      if (q.type === 'NS') return { rcode: Rcode.NOERROR, answer: [{ name: zone, type: 'NS', class: 'IN', ttl: LOCAL_TTL, data: zone }], authority: [] };
      return { rcode: Rcode.NOERROR, answer: [], authority: [soa] };
    }
    if (names.hasNamesBelow(name)) return { rcode: Rcode.NOERROR, answer: [], authority: [soa] };
    return { rcode: Rcode.NXDOMAIN, answer: [], authority: [soa] };
  }

  /** The apex's local data, written with the asked name as owner (a CNAME there redirects every name below). */
  private redirect(q: Question, zone: string, names: LocalNames): LocalAnswer {
    const apex = names.answer({ ...q, name: zone });
    if (!apex || apex.answer.length === 0) return { rcode: Rcode.NOERROR, answer: [], authority: [soaFor(zone)] };
    return { rcode: Rcode.NOERROR, answer: apex.answer.map((r) => (canonical(r.name) === zone ? { ...r, name: q.name } : r)), authority: [] };
  }

  private localhost(q: Question, name: string): LocalAnswer {
    const owner = q.name === '' ? name : q.name;
    if (q.type === 'A') return { rcode: Rcode.NOERROR, answer: [{ name: owner, type: 'A', class: 'IN', ttl: LOCAL_TTL, data: '127.0.0.1' }], authority: [] };
    if (q.type === 'AAAA') return { rcode: Rcode.NOERROR, answer: [{ name: owner, type: 'AAAA', class: 'IN', ttl: LOCAL_TTL, data: '::1' }], authority: [] };
    return { rcode: Rcode.NOERROR, answer: [], authority: [soaFor('localhost')] };
  }
}

/**
 * Local zones as a stage. Its answers depend only on the question, so they may be kept in the shared answer cache
 * (the zones are fixed at start-up; whoever changes them must flush that cache). REFUSED carries EDE 18
 * (Prohibited) naming the zone.
 */
export function localZonesStage(zones: LocalZones, names: LocalNames): Stage {
  return {
    name: 'local-zones',
    decide(ctx) {
      const v = zones.decide(ctx.question, names);
      if (!v) return CONTINUE;
      switch (v.kind) {
        case 'answer':
          return { kind: 'answer', resolution: v.answer, aa: true, cacheable: true };
        case 'refuse':
          return { kind: 'refuse', ede: { code: EdeCode.PROHIBITED, text: `local-zone ${absolute(v.zone)} refuse` } };
        case 'drop':
          return DROP;
        default: {
          const never: never = v;
          throw new Error(`unhandled verdict ${String(never)}`);
        }
      }
    },
  };
}
