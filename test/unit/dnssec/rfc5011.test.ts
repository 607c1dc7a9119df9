import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DnskeyData } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DNSKEY_FLAGS } from '../../../src/dnssec/dnskey.js';
import { ADD_HOLD_DOWN_MS, AnchorTracker } from '../../../src/dnssec/rfc5011.js';
import { ManualClock } from '../../../src/util/clock.js';

const KSK = DNSKEY_FLAGS.ZONE | DNSKEY_FLAGS.SEP;
const key = (n: number, flags = KSK): DnskeyData => ({ flags, algorithm: 13, key: Buffer.alloc(64, n) });
const zsk = key(9, DNSKEY_FLAGS.ZONE);
const statePath = (): string => join(mkdtempSync(join(tmpdir(), 'rfc5011-')), 'state.json');

describe('RFC 5011 trust anchor tracking', () => {
  it('a new KSK is pending for the 30-day hold-down, then trusted; the state survives a restart', async () => {
    const clock = new ManualClock();
    const path = statePath();
    const t = new AnchorTracker(path, clock);
    await t.observe('.', [key(1), zsk], () => true);
    expect(t.trusted('.')).toEqual([]); // seen once: AddPend
    clock.advance(86_400_000);
    await t.observe('.', [key(1), key(2), zsk], () => true);
    clock.advance(ADD_HOLD_DOWN_MS - 86_400_000 - 1000);
    await t.observe('.', [key(1), key(2), zsk], () => true);
    expect(t.trusted('.')).toEqual([]);
    clock.advance(1000);
    await t.observe('.', [key(1), key(2), zsk], () => true);
    expect(t.trusted('.').map((k) => k.key[0])).toEqual([1]); // key 1 reached its hold-down; key 2 came later
    const again = AnchorTracker.load(path, clock);
    expect(again.all.map((k) => k.state)).toEqual(['valid', 'addpend']);
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('rootline-trust-anchor-state');
  });

  it('a pending key that goes away starts over; a trusted one is kept as Missing until it is back', async () => {
    const clock = new ManualClock();
    const t = new AnchorTracker(statePath(), clock);
    await t.observe('.', [key(1)], () => true);
    await t.observe('.', [key(2)], () => true);
    expect(t.all.map((k) => [k.key.slice(0, 4), k.state])).toEqual([[Buffer.alloc(3, 2).toString('base64').slice(0, 4), 'addpend']]);
    clock.advance(ADD_HOLD_DOWN_MS);
    await t.observe('.', [key(2)], () => true);
    await t.observe('.', [key(3)], () => true);
    expect(t.all.find((k) => k.state === 'missing')).toBeDefined();
    expect(t.trusted('.')).toHaveLength(1); // Missing is still trusted
  });

  it('a revoked key that signed the set itself is never trusted again; an unsigned revocation is ignored', async () => {
    const clock = new ManualClock();
    const t = new AnchorTracker(statePath(), clock);
    await t.observe('.', [key(1)], () => true);
    clock.advance(ADD_HOLD_DOWN_MS);
    await t.observe('.', [key(1)], () => true);
    const revoked = key(1, KSK | DNSKEY_FLAGS.REVOKE);
    await t.observe('.', [revoked, key(2)], () => false); // not signed by the revoked key: a forgery
    expect(t.isRevoked('.', revoked)).toBe(false);
    await t.observe('.', [revoked, key(2)], (k) => k.key[0] === 1);
    expect(t.isRevoked('.', key(1))).toBe(true);
    expect(t.trusted('.')).toEqual([]);
    await t.observe('.', [key(1)], () => true);
    expect(t.trusted('.')).toEqual([]); // revoked for good
  });

  it('a damaged state file is an error, a missing one a first start', () => {
    const path = statePath();
    expect(AnchorTracker.load(path, new ManualClock()).all).toEqual([]);
    writeFileSync(path, '{"format":"something else"}');
    expect(() => AnchorTracker.load(path, new ManualClock())).toThrow(/not a rootline trust anchor state file/);
  });
});
