// Forward and stub zones from the config: for a name, the deepest configured zone that holds it. A forward
// zone's servers recurse for us (RD=1, Unbound's forward-zone); a stub zone's servers are authoritative and
// are iterated from (RD=0, Unbound's stub-zone). Both replace the root as where resolution of that subtree starts.
import type { ZoneEntry } from '../config/schema.js';
import { canonical, isInZone, parentOf } from '../wire/names.js';
import type { ConfiguredMode, ConfiguredZone } from './step.js';

export type { ConfiguredMode, ConfiguredZone };


function fromEntry(e: ZoneEntry, mode: ConfiguredMode): ConfiguredZone {
  // Traces and server selection name a configured server by its address: it has no NS name.
  const targets = e.servers.map((s) => ({ nsName: s.port === 53 ? s.address : `${s.address}@${s.port}`, addr: { address: s.address, port: s.port } }));
  return { zone: canonical(e.name), mode, targets, fallback: e.fallback, tcpOnly: e.tcp, ...(e.tls ? { tls: e.tls } : {}) };
}

export class ConfiguredZones {
  private readonly byName = new Map<string, ConfiguredZone>();

  /** A name in both lists is a config error caught by the loader's caller; here the forward entry wins. */
  constructor(forward: readonly ZoneEntry[] = [], stub: readonly ZoneEntry[] = []) {
    for (const e of stub) this.byName.set(canonical(e.name), fromEntry(e, 'stub'));
    for (const e of forward) this.byName.set(canonical(e.name), fromEntry(e, 'forward'));
  }

  static none(): ConfiguredZones {
    return new ConfiguredZones();
  }

  get size(): number {
    return this.byName.size;
  }

  /** Every configured zone name. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The deepest configured zone at or above `name`, or null. */
  closest(name: string): ConfiguredZone | null {
    if (this.byName.size === 0) return null;
    for (let n = canonical(name); ; n = parentOf(n)) {
      const zone = this.byName.get(n);
      if (zone) return zone;
      if (n === '.') return null;
    }
  }

  /** Whether `name` lies in a configured zone that is `zone` itself or below it. */
  claimsWithin(name: string, zone: string): boolean {
    const configured = this.closest(name);
    return configured !== null && isInZone(configured.zone, zone);
  }
}
