// Signing the lab hierarchy at start (issue 19): fresh keys each time, the zones signed deepest first so each
// parent publishes and signs its child's DS at the cut, and the lab root's DS as the only trust anchor.
import type { DsData } from 'dns-packet';
import { windowAround, type SignatureWindow } from '../dnssec/sign.js';
import { expiredWindow, futureWindow, signZone, withDelegationDs, type SignedZone } from '../dnssec/zone-signer.js';
import { canonical, isInZone, labelCount } from '../wire/names.js';
import type { RR } from '../wire/types.js';
import type { Zone } from './answerer.js';
import type { LabServer, LabSigning } from './lab-zones.js';

/** Signatures valid from an hour before the lab starts (a resolver's clock a little behind still accepts them) for 14 days. */
const BACKDATE_SECONDS = 3600;
const LIFETIME_SECONDS = 14 * 86400;

export interface SignedLab {
  servers: LabServer[];
  /** Every signed zone by origin. */
  signed: ReadonlyMap<string, SignedZone>;
  /** The lab root's DS records: the trust anchor of a resolver pointed at the lab. */
  rootDs: RR[];
  /** How long the signing took (keys, signatures, chains), for the lab's banner and BENCHMARKS.md. */
  signingMs: number;
}

function windowFor(how: LabSigning, nowMs: number): SignatureWindow {
  switch (how.signatures ?? 'current') {
    case 'current':
      return windowAround(nowMs, BACKDATE_SECONDS, LIFETIME_SECONDS);
    case 'expired':
      return expiredWindow(nowMs);
    case 'not-yet-valid':
      return futureWindow(nowMs);
  }
}

/** The lab zones, one object per origin (servers share zones: both roots hold ".", two servers example.com). */
function distinctZones(servers: readonly LabServer[]): Zone[] {
  const byOrigin = new Map<string, Zone>();
  for (const s of servers) for (const z of s.zones) byOrigin.set(canonical(z.origin), z);
  return [...byOrigin.values()];
}

/** The closest enclosing lab zone: the parent that holds the cut. */
function parentOf(zones: readonly Zone[], child: Zone): Zone | undefined {
  return zones
    .filter((z) => z.origin !== child.origin && isInZone(child.origin, z.origin))
    .sort((a, b) => labelCount(b.origin) - labelCount(a.origin))[0];
}

/**
 * Signs each zone `plan` names with a fresh key, deepest first; each signed zone's DS goes into its parent before
 * the parent is signed. Zones the plan leaves out stay unsigned, and their parents publish no DS (insecure).
 */
export function signLab(servers: readonly LabServer[], plan: Readonly<Record<string, LabSigning>>, nowMs: number): SignedLab {
  const started = performance.now();
  const current = new Map(distinctZones(servers).map((z) => [canonical(z.origin), z]));
  const deepestFirst = [...current.values()].sort((a, b) => labelCount(b.origin) - labelCount(a.origin));
  const signed = new Map<string, SignedZone>();
  for (const unsignedZone of deepestFirst) {
    const origin = canonical(unsignedZone.origin);
    const how = plan[origin];
    if (!how) continue;
    // A child signed earlier may have put its DS in this zone: sign the latest version.
    const z = current.get(origin)!;
    const result = signZone(z, {
      algorithm: how.algorithm,
      denial: how.denial,
      window: windowFor(how, nowMs),
      ds: how.ds === 'none' ? 'match' : (how.ds ?? 'match'),
      stripRrsigs: how.stripRrsigs ?? [],
      corruptRrsigs: how.corruptRrsigs ?? [],
    });
    signed.set(origin, result);
    current.set(origin, result.zone);
    const parent = origin === '.' || how.ds === 'none' ? undefined : parentOf([...current.values()], z);
    if (parent) current.set(canonical(parent.origin), withDelegationDs(parent, origin, result.ds));
  }
  const root = signed.get('.');
  return {
    servers: servers.map((s) => ({ ...s, zones: s.zones.map((z) => current.get(canonical(z.origin)) ?? z) })),
    signed,
    rootDs: root?.ds ?? [],
    signingMs: performance.now() - started,
  };
}

/** A DS record in zone-file presentation form (RFC 4034 §5.3): `. 3600 IN DS 12345 13 2 ABCD…`. */
export function dsLine(rr: RR): string {
  const ds = rr.data as DsData;
  const owner = canonical(rr.name) === '.' ? '.' : `${canonical(rr.name)}.`;
  return `${owner} ${rr.ttl} IN DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest.toString('hex').toUpperCase()}`;
}
