// DS records (RFC 4034 §5): the digest a parent publishes for a child's DNSKEY, and matching one to a key.
import { createHash } from 'node:crypto';
import type { DnskeyData, DsData } from 'dns-packet';
import { canonicalNameWire } from './canonical.js';
import { dnskeyRdata, isZoneKey } from './dnskey.js';
import { keyTag } from './keytag.js';

/**
 * Digest types we compute, with RFC 8624 §3.3's validation column: SHA-1 (1) MUST (RFC 4034), SHA-256 (2) MUST
 * (RFC 4509), SHA-384 (4) RECOMMENDED (RFC 6605). GOST R 34.11-94 (3) is MAY and not supported; 0 is MUST NOT.
 */
const DIGEST_HASHES: Readonly<Record<number, string>> = {
  1: 'sha1',
  2: 'sha256',
  4: 'sha384',
};

export function isSupportedDigestType(digestType: number): boolean {
  return DIGEST_HASHES[digestType] !== undefined;
}

/** RFC 4034 §5.1.4: digest = hash(canonical owner name | DNSKEY RDATA). Null for an unsupported digest type. */
export function dsDigest(owner: string, key: DnskeyData, digestType: number): Buffer | null {
  const hash = DIGEST_HASHES[digestType];
  if (!hash) return null;
  return createHash(hash).update(canonicalNameWire(owner)).update(dnskeyRdata(key)).digest();
}

/** The DS a parent would publish for this key (for the lab's zone cuts); null for an unsupported digest type. */
export function makeDs(owner: string, key: DnskeyData, digestType: number): DsData | null {
  const digest = dsDigest(owner, key, digestType);
  return digest && { keyTag: keyTag(key), algorithm: key.algorithm, digestType, digest };
}

/**
 * 'unsupported-digest' is not a mismatch: a DS set whose digests are all unknown makes the zone insecure
 * (RFC 4035 §5.2, RFC 6840 §5.2), where a DS that matches no key makes it bogus.
 */
export type DsMatch = 'match' | 'no-match' | 'unsupported-digest';

/** RFC 4034 §5.2 / RFC 4035 §5.2: tag, algorithm and digest agree, and the key is a zone key. */
export function matchDs(ds: DsData, owner: string, key: DnskeyData): DsMatch {
  if (!isSupportedDigestType(ds.digestType)) return 'unsupported-digest';
  if (ds.algorithm !== key.algorithm || ds.keyTag !== keyTag(key) || !isZoneKey(key)) return 'no-match';
  return dsDigest(owner, key, ds.digestType)!.equals(ds.digest) ? 'match' : 'no-match';
}
