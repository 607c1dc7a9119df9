// Trust anchors (RFC 4033 §2, RFC 7958): the DS or DNSKEY records validation starts from, in zone-file
// presentation form, one per line — the form of Unbound's `trust-anchor-file` and of IANA's root anchors:
//   .  172800  IN  DS  20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
//   lab.  IN  DNSKEY  257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
import type { DnskeyData, DsData } from 'dns-packet';
import { canonical, isInZone } from '../wire/names.js';

export interface TrustAnchor {
  zone: string;
  ds: DsData[];
  dnskeys: DnskeyData[];
}

export class AnchorSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const CLASSES = new Set(['IN']);

function parseLine(text: string, line: number): { zone: string; ds?: DsData; dnskey?: DnskeyData } | null {
  const bare = text.replace(/;.*$/, '').trim();
  if (bare === '') return null;
  const f = bare.split(/\s+/);
  const owner = f.shift()!;
  if (/^\d+$/.test(f[0] ?? '')) f.shift(); // TTL
  if (CLASSES.has((f[0] ?? '').toUpperCase())) f.shift();
  const type = (f.shift() ?? '').toUpperCase();
  const num = (s: string | undefined, what: string, max: number): number => {
    if (s === undefined || !/^\d+$/.test(s) || Number(s) > max) throw new AnchorSyntaxError(line, `${what} must be a number up to ${max}, got '${s ?? ''}'`);
    return Number(s);
  };
  if (type === 'DS') {
    const keyTag = num(f[0], 'key tag', 65535);
    const algorithm = num(f[1], 'algorithm', 255);
    const digestType = num(f[2], 'digest type', 255);
    const hex = f.slice(3).join('');
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new AnchorSyntaxError(line, 'the DS digest must be hexadecimal');
    return { zone: canonical(owner), ds: { keyTag, algorithm, digestType, digest: Buffer.from(hex, 'hex') } };
  }
  if (type === 'DNSKEY') {
    const flags = num(f[0], 'flags', 65535);
    if (num(f[1], 'protocol', 255) !== 3) throw new AnchorSyntaxError(line, 'the DNSKEY protocol must be 3 (RFC 4034 §2.1.2)');
    const algorithm = num(f[2], 'algorithm', 255);
    const b64 = f.slice(3).join('');
    if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new AnchorSyntaxError(line, 'the DNSKEY public key must be base64');
    return { zone: canonical(owner), dnskey: { flags, algorithm, key: Buffer.from(b64, 'base64') } };
  }
  throw new AnchorSyntaxError(line, `expected a DS or DNSKEY record, got type '${type}'`);
}

/** Parses anchor text; throws AnchorSyntaxError naming the (1-based) line. */
export function parseTrustAnchors(text: string, firstLine = 1): TrustAnchor[] {
  const byZone = new Map<string, TrustAnchor>();
  text.split('\n').forEach((raw, i) => {
    const parsed = parseLine(raw, firstLine + i);
    if (!parsed) return;
    const a = byZone.get(parsed.zone) ?? { zone: parsed.zone, ds: [], dnskeys: [] };
    if (parsed.ds) a.ds.push(parsed.ds);
    if (parsed.dnskey) a.dnskeys.push(parsed.dnskey);
    byZone.set(parsed.zone, a);
  });
  return [...byZone.values()];
}

/** The anchors in force: the deepest one at or above a name is where that name's chain of trust starts. */
export class TrustAnchors {
  private readonly byZone: Map<string, TrustAnchor>;

  constructor(anchors: readonly TrustAnchor[]) {
    this.byZone = new Map();
    for (const a of anchors) {
      const had = this.byZone.get(a.zone);
      this.byZone.set(a.zone, had ? { zone: a.zone, ds: [...had.ds, ...a.ds], dnskeys: [...had.dnskeys, ...a.dnskeys] } : a);
    }
  }

  get size(): number {
    return this.byZone.size;
  }

  zones(): string[] {
    return [...this.byZone.keys()];
  }

  /** The anchor for exactly this zone. */
  at(zone: string): TrustAnchor | undefined {
    return this.byZone.get(canonical(zone));
  }

  /** The deepest anchor at or above `name`; undefined when none is (the name is then insecure). */
  closest(name: string): TrustAnchor | undefined {
    let best: TrustAnchor | undefined;
    for (const a of this.byZone.values()) {
      if (isInZone(name, a.zone) && (!best || a.zone.length > best.zone.length || best.zone === '.')) best = a;
    }
    return best;
  }
}
