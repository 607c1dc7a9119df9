// DS digests (RFC 4034 §5.1.4) against the RFCs' published DS records, and DS-to-DNSKEY matching.
import { describe, expect, it } from 'vitest';
import { dsDigest, makeDs, matchDs } from '../../../src/dnssec/ds.js';
import { RFC4034_DSKEY, RFC6605, RFC8080, ROOT_KSK_2017 } from './rfc-vectors.js';

describe('dsDigest', () => {
  it.each([
    ['RFC 4034 §5.4 SHA-1', RFC4034_DSKEY.owner, RFC4034_DSKEY.key, 1, RFC4034_DSKEY.sha1],
    ['RFC 4509 §2.3 SHA-256', RFC4034_DSKEY.owner, RFC4034_DSKEY.key, 2, RFC4034_DSKEY.sha256],
    ['RFC 6605 §6.1 SHA-256', 'example.net', RFC6605.p256.key, 2, RFC6605.p256.dsSha256],
    ['RFC 6605 §6.2 SHA-384', 'example.net', RFC6605.p384.key, 4, RFC6605.p384.dsSha384],
    ['RFC 8080 §6.1 Ed25519 #1', 'example.com', RFC8080.ed25519[0]!.key, 2, RFC8080.ed25519[0]!.dsSha256],
    ['RFC 8080 §6.1 Ed25519 #2', 'example.com', RFC8080.ed25519[1]!.key, 2, RFC8080.ed25519[1]!.dsSha256],
    ['RFC 8080 §6.2 Ed448', 'example.com', RFC8080.ed448[0]!.key, 2, RFC8080.ed448[0]!.dsSha256!],
    ['root KSK-2017 SHA-256', '.', ROOT_KSK_2017.key, 2, ROOT_KSK_2017.dsSha256],
  ])('%s', (_label, owner, key, digestType, digest) => {
    expect(dsDigest(owner, key, digestType)?.toString('hex')).toBe(digest.toString('hex'));
  });

  it('hashes the owner name in canonical form, whatever its case or trailing dot', () => {
    expect(dsDigest('DSKEY.Example.COM.', RFC4034_DSKEY.key, 2)).toEqual(RFC4034_DSKEY.sha256);
  });

  it('has no digest for GOST (3) or unassigned types', () => {
    expect(dsDigest('example.net', RFC6605.p256.key, 3)).toBeNull();
    expect(dsDigest('example.net', RFC6605.p256.key, 0)).toBeNull();
  });
});

describe('matchDs', () => {
  const owner = 'example.net';
  const key = RFC6605.p256.key;
  const ds = { keyTag: 55648, algorithm: 13, digestType: 2, digest: RFC6605.p256.dsSha256 };

  it('matches the published DS to its key, and makeDs rebuilds it', () => {
    expect(matchDs(ds, owner, key)).toBe('match');
    expect(makeDs(owner, key, 2)).toEqual(ds);
  });

  it('refuses a changed digest, tag or algorithm, another owner, and a key without the Zone Key flag', () => {
    const digest = Buffer.from(ds.digest);
    digest[0]! ^= 1;
    expect(matchDs({ ...ds, digest }, owner, key)).toBe('no-match');
    expect(matchDs({ ...ds, keyTag: ds.keyTag + 1 }, owner, key)).toBe('no-match');
    expect(matchDs({ ...ds, algorithm: 8 }, owner, key)).toBe('no-match');
    expect(matchDs(ds, 'example.org', key)).toBe('no-match');
    const notZoneKey = { ...key, flags: 0x0001 };
    expect(matchDs(makeDs(owner, notZoneKey, 2)!, owner, notZoneKey)).toBe('no-match');
  });

  it('says a DS with an unknown digest type is unsupported, not a mismatch', () => {
    expect(matchDs({ ...ds, digestType: 3 }, owner, key)).toBe('unsupported-digest');
  });
});
