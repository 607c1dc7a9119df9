// RFC 5011 automated updates of DNSSEC trust anchors: when a zone with a trust anchor publishes a new key-signing
// key in a DNSKEY RRset that validated from the current anchor, the key becomes trusted after the add hold-down
// (30 days, §2.4.1); a trusted key that shows up with the REVOKE bit and signs the RRset itself is distrusted for
// good (§2.1). The state lives in a file (`trust-anchor-state`) so a restart does not start the hold-down again.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { DnskeyData } from 'dns-packet';
import type { Clock } from '../util/clock.js';
import { canonical } from '../wire/names.js';
import { DNSKEY_FLAGS } from './dnskey.js';
import { keyTag } from './keytag.js';

/** RFC 5011 §2.4.1: a new key is trusted after it has been seen, validly, for this long. */
export const ADD_HOLD_DOWN_MS = 30 * 86_400_000;

/** RFC 5011 §4: AddPend (seen, waiting), Valid (trusted), Missing (trusted, not seen lately), Revoked (never again). */
export type KeyState = 'addpend' | 'valid' | 'missing' | 'revoked';

export interface TrackedKey {
  zone: string;
  /** The key tag without the REVOKE bit (the one its DS names). */
  tag: number;
  algorithm: number;
  /** The public key, base64. */
  key: string;
  state: KeyState;
  firstSeenMs: number;
  lastSeenMs: number;
}

const FORMAT = 'rootline-trust-anchor-state';

const isSep = (k: DnskeyData): boolean => (k.flags & DNSKEY_FLAGS.SEP) !== 0;
const isRevoked = (k: DnskeyData): boolean => (k.flags & DNSKEY_FLAGS.REVOKE) !== 0;
const sameKey = (t: TrackedKey, k: DnskeyData): boolean => t.algorithm === k.algorithm && t.key === k.key.toString('base64');

export class AnchorTracker {
  private keys: TrackedKey[];

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    keys: TrackedKey[] = [],
  ) {
    this.keys = keys;
  }

  /** The state file's keys; none when it does not exist yet (a first start). A damaged file is an error. */
  static load(path: string, clock: Clock): AnchorTracker {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new AnchorTracker(path, clock);
      throw new Error(`cannot read trust anchor state ${path}: ${(e as Error).message}`);
    }
    const v = JSON.parse(text) as { format?: string; keys?: TrackedKey[] };
    if (v.format !== FORMAT || !Array.isArray(v.keys)) throw new Error(`${path}: not a rootline trust anchor state file`);
    return new AnchorTracker(path, clock, v.keys);
  }

  get all(): readonly TrackedKey[] {
    return this.keys;
  }

  /** Keys RFC 5011 made trusted for `zone` (Valid or Missing), as DNSKEY anchors. */
  trusted(zone: string): DnskeyData[] {
    const z = canonical(zone);
    return this.keys.filter((k) => k.zone === z && (k.state === 'valid' || k.state === 'missing')).map((k) => ({ flags: DNSKEY_FLAGS.ZONE | DNSKEY_FLAGS.SEP, algorithm: k.algorithm, key: Buffer.from(k.key, 'base64') }));
  }

  /** Whether this key was revoked (RFC 5011 §2.1): it is never trusted again, whatever the anchors say. */
  isRevoked(zone: string, k: DnskeyData): boolean {
    return this.keys.some((t) => t.zone === canonical(zone) && t.state === 'revoked' && sameKey(t, k));
  }

  /**
   * A DNSKEY RRset of `zone` that validated from its current trust anchor. `selfSigned(k)` tells whether key k
   * signed the RRset (a revocation counts only then). Returns whether the state changed (and was saved).
   */
  async observe(zone: string, keyset: readonly DnskeyData[], selfSigned: (k: DnskeyData) => boolean): Promise<boolean> {
    const z = canonical(zone);
    const now = this.clock.nowMs();
    let changed = false;
    const seen = new Set<TrackedKey>();
    for (const k of keyset.filter(isSep)) {
      // With the REVOKE bit the key tag changes (it is part of the RDATA): match by the key itself.
      const tracked = this.keys.find((t) => t.zone === z && sameKey(t, k));
      if (isRevoked(k)) {
        if (tracked && tracked.state !== 'revoked' && selfSigned(k)) {
          tracked.state = 'revoked';
          tracked.lastSeenMs = now;
          changed = true;
        }
        if (tracked) seen.add(tracked);
        continue;
      }
      if (!tracked) {
        const t: TrackedKey = { zone: z, tag: keyTag(k), algorithm: k.algorithm, key: k.key.toString('base64'), state: 'addpend', firstSeenMs: now, lastSeenMs: now };
        this.keys.push(t);
        seen.add(t);
        changed = true;
        continue;
      }
      seen.add(tracked);
      tracked.lastSeenMs = now;
      if (tracked.state === 'addpend' && now - tracked.firstSeenMs >= ADD_HOLD_DOWN_MS) {
        tracked.state = 'valid';
        changed = true;
      } else if (tracked.state === 'missing') {
        tracked.state = 'valid';
        changed = true;
      }
    }
    for (const t of this.keys.filter((x) => x.zone === z && !seen.has(x))) {
      // §4.4: a pending key that went away starts over; a trusted one is kept as Missing.
      if (t.state === 'addpend') {
        this.keys = this.keys.filter((x) => x !== t);
        changed = true;
      } else if (t.state === 'valid') {
        t.state = 'missing';
        changed = true;
      }
    }
    if (changed) await this.save();
    return changed;
  }

  private async save(): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ format: FORMAT, writtenAt: new Date(this.clock.nowMs()).toISOString(), keys: this.keys }, null, 1) + '\n', { mode: 0o644 });
    await rename(tmp, this.path);
  }
}
